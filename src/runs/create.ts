import { WfdError } from "../core/errors.ts";
import { isoTime } from "../core/run.ts";
import type { CreateRunRequest, CreateRunResponse, WorkflowCatalog } from "../core/runs.ts";
import type { CreateRunResult, IdempotencyClaim, NewRun, RunStore, StoredVersion } from "../core/store.ts";
import { canonicalJson } from "../lib/canonical-json.ts";
import { sha256Hex } from "../lib/hash.ts";
import { prefixedId } from "../lib/ids.ts";

/** The accepted form of a request: the pinned version, the validated input and the row to insert. */
export interface PreparedRun {
  version: StoredVersion;
  row: NewRun;
  idempotency?: IdempotencyClaim;
}

/**
 * Checks a run request against the catalog: the workflow exists and is active (unless
 * `allowInactive`), and the input passes its inputSchema. Throws WfdError NOT_FOUND,
 * INVALID_STATUS or VALIDATION_ERROR; writes nothing.
 */
export function prepareRun(
  catalog: WorkflowCatalog,
  request: CreateRunRequest,
  now: number,
  idempotencyTtlMs: number,
): PreparedRun {
  const version = catalog.current(request.workflowId);
  if (!version) throw new WfdError("NOT_FOUND", `Workflow "${request.workflowId}" not found`);
  const status = version.definition.status;
  if (status !== "active" && !request.allowInactive) {
    throw new WfdError("INVALID_STATUS", `Workflow must be active to run. Current status: ${status}`);
  }
  const checked = catalog.validateInput(version, request.input ?? {});
  if (!checked.ok) {
    throw new WfdError("VALIDATION_ERROR", "Input does not match the workflow's inputSchema", checked.errors);
  }
  const createdAt = isoTime(now);
  const row: NewRun = {
    id: prefixedId("run", now),
    workflowId: version.workflowId,
    workflowVersion: version.version,
    versionId: version.versionId,
    input: checked.value,
    trigger: request.trigger,
    idempotencyKey: request.idempotencyKey ?? null,
    connectionId: request.connectionId ?? null,
    entityType: request.entityType ?? null,
    entityId: request.entityId ?? null,
    webhookUrl: request.webhookUrl ?? null,
    createdAt,
  };
  if (!request.idempotencyKey) return { version, row };
  const requestHash = requestHashOf(checked.value);
  const expiresAt = new Date(now + idempotencyTtlMs).toISOString();
  return { version, row, idempotency: { key: request.idempotencyKey, requestHash, expiresAt } };
}

/**
 * DESIGN §7: a replay is "the same key and the same input", compared as validated (defaults
 * applied, unknown fields stripped); other fields of the request do not take part.
 */
function requestHashOf(validInput: unknown): string {
  return sha256Hex(canonicalJson(validInput));
}

function conflict(key: string | null | undefined, runId: string): WfdError {
  return new WfdError(
    "CONFLICT",
    `Idempotency key "${key}" was already used with a different input (run ${runId})`,
  );
}

/** Where a replay reads the run that holds a key, and the version that run pinned. */
export interface ReplaySources {
  catalog: WorkflowCatalog;
  store: RunStore;
}

/**
 * The answer to a request whose idempotency key a stored run holds, with the input validated
 * again under the version that run pinned: a retry of the same request replays even after the
 * workflow was edited (new defaults or a stricter schema), disabled or deleted. Null when the key
 * is unknown or expired; CONFLICT when the input differs.
 */
async function replayOf(
  sources: ReplaySources,
  request: CreateRunRequest,
): Promise<CreateRunResponse | null> {
  const key = request.idempotencyKey;
  const found = key ? await sources.store.findIdempotentRun(request.workflowId, key) : null;
  if (!found) return null;
  const { run } = found;
  const version = await sources.catalog.version(run.workflowId, run.versionId);
  const checked = version && sources.catalog.validateInput(version, request.input ?? {});
  if (checked?.ok && requestHashOf(checked.value) === found.requestHash) return { run, replayed: true };
  throw conflict(key, run.id);
}

/**
 * The answer to a request prepareRun refused (unknown or inactive workflow, input invalid under
 * the current version): the replay when a stored run holds its idempotency key, else `refusal`.
 */
export async function replayOrRefuse(
  sources: ReplaySources,
  request: CreateRunRequest,
  refusal: unknown,
): Promise<CreateRunResponse> {
  const replay = await replayOf(sources, request);
  if (replay) return replay;
  throw refusal;
}

/**
 * The answer to a creation: the new or replayed run. A key held by a run created with other input
 * as the current version validates it is judged again under the version that run pinned (the
 * workflow may have changed since), and is CONFLICT when the input still differs.
 */
export function responseOf(
  result: CreateRunResult,
  request: CreateRunRequest,
  sources: ReplaySources,
): CreateRunResponse | Promise<CreateRunResponse> {
  switch (result.outcome) {
    case "slot-taken":
      return { run: null, replayed: false };
    case "conflict":
      return replayOrRefuse(sources, request, conflict(request.idempotencyKey, result.run.id));
    case "replayed":
      return { run: result.run, replayed: true };
    case "created":
      return { run: result.run, replayed: false };
  }
}
