import { WfdError } from "../core/errors.ts";
import { isoTime } from "../core/run.ts";
import type { CreateRunRequest, CreateRunResponse, WorkflowCatalog } from "../core/runs.ts";
import type { CreateRunResult, IdempotencyClaim, NewRun, StoredVersion } from "../core/store.ts";
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
  // DESIGN §7: a replay is "the same key and the same input"; other fields do not take part.
  const requestHash = sha256Hex(canonicalJson(checked.value));
  const expiresAt = new Date(now + idempotencyTtlMs).toISOString();
  return { version, row, idempotency: { key: request.idempotencyKey, requestHash, expiresAt } };
}

/** The answer to a creation: the new or replayed run; CONFLICT for a key reused with other input. */
export function responseOf(result: CreateRunResult, idempotencyKey?: string | null): CreateRunResponse {
  switch (result.outcome) {
    case "slot-taken":
      return { run: null, replayed: false };
    case "conflict":
      throw new WfdError(
        "CONFLICT",
        `Idempotency key "${idempotencyKey}" was already used with a different input (run ${result.run.id})`,
      );
    case "replayed":
      return { run: result.run, replayed: true };
    case "created":
      return { run: result.run, replayed: false };
  }
}
