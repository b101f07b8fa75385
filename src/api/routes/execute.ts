import { type Context, Hono } from "hono";
import type * as v from "valibot";
import { WfdError } from "../../core/errors.ts";
import { FINISHED_RUN_STATUSES, type Run } from "../../core/run.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";
import { ok } from "../envelope.ts";
import { assertWorkflowAllowed, requireScope } from "../middleware/auth.ts";
import { CreateRunBody, RunWorkflowBody } from "../schemas.ts";
import { parseRequest } from "../validate.ts";

type RunOptions = v.InferOutput<typeof RunWorkflowBody>;

/** The answer for an accepted run that has not finished (yet). */
export function runSummary(run: Run) {
  return {
    runId: run.id,
    id: run.id,
    status: run.status,
    workflowId: run.workflowId,
    workflowVersion: run.workflowVersion,
    versionId: run.versionId,
    createdAt: run.createdAt,
  };
}

/** The idempotency key from the body or the Idempotency-Key header; both must agree when both are given. */
function idempotencyKeyOf(c: Context<ApiEnv>, fromBody: string | undefined): string | null {
  const fromHeader = c.req.header("idempotency-key")?.trim() || undefined;
  if (fromHeader && fromBody && fromHeader !== fromBody) {
    throw new WfdError("VALIDATION_ERROR", "Idempotency-Key header and body idempotencyKey differ", [
      { path: ["idempotencyKey"], message: "differs from the Idempotency-Key header" },
    ]);
  }
  if (fromHeader && fromHeader.length > 255) {
    throw new WfdError("VALIDATION_ERROR", "Idempotency-Key header is longer than 255 characters", [
      { path: ["Idempotency-Key"], message: "must be at most 255 characters" },
    ]);
  }
  return fromHeader ?? fromBody ?? null;
}

/** A VALIDATION_ERROR for one body field, worded like the schema's own (validate.ts). */
function fieldError(field: string, problem: string): WfdError {
  return new WfdError("VALIDATION_ERROR", `Invalid request body: ${field}: ${problem}`, [
    { path: [field], message: problem },
  ]);
}

/** A check the body schema cannot make: it needs the daemon's configuration. */
function checkConnection(deps: ApiDeps, connectionId: string | undefined): void {
  if (connectionId !== undefined && !deps.connectionIds.has(connectionId)) {
    throw fieldError("connectionId", "is not the id of a connection target in wfd.yaml");
  }
}

async function startRun(c: Context<ApiEnv>, deps: ApiDeps, workflowId: string, options: RunOptions) {
  const key = c.get("apiKey");
  assertWorkflowAllowed(key, workflowId);
  checkConnection(deps, options.connectionId);
  // Awaited only when there is a URL to check: most requests have none.
  const urlProblem = options.webhookUrl ? await deps.outboundUrlProblem(options.webhookUrl) : null;
  if (urlProblem) throw fieldError("webhookUrl", urlProblem);
  const { run, replayed } = await deps.runs.create({
    workflowId,
    input: options.input ?? {},
    trigger: { type: "api", apiKey: key.name },
    idempotencyKey: idempotencyKeyOf(c, options.idempotencyKey),
    connectionId: options.connectionId ?? null,
    webhookUrl: options.webhookUrl ?? null,
    entityType: options.entityType ?? null,
    entityId: options.entityId ?? null,
  });
  if (!run) throw new Error("run service created no run for an API request");
  if (replayed) c.header("Idempotent-Replayed", "true");
  let current: Run | null = run;
  if (options.wait && !FINISHED_RUN_STATUSES.includes(run.status)) {
    current = await deps.runs.waitForFinish(run.id, options.wait * 1000, c.req.raw.signal);
  } else if (replayed && options.wait) {
    current = await deps.runs.get(run.id);
  }
  if (options.wait && current && FINISHED_RUN_STATUSES.includes(current.status)) return ok(c, current, 200);
  return ok(c, runSummary(run), replayed ? 200 : 202);
}

/** POST /workflows/:id/run (aliases /execute, /trigger) and POST /runs. */
export function executeRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const scope = requireScope("workflows:execute");
  for (const verb of ["run", "execute", "trigger"]) {
    app.post(`/workflows/:id/${verb}`, scope, async (c) => {
      const options = parseRequest(RunWorkflowBody, c.get("body") ?? {}, "request body");
      return startRun(c, deps, c.req.param("id"), options);
    });
  }
  app.post("/runs", scope, async (c) => {
    const { workflowId, inputs, ...options } = parseRequest(CreateRunBody, c.get("body"), "request body");
    // `inputs` is only another name for `input`: a body with both is ambiguous, even when they agree.
    if (options.input !== undefined && inputs !== undefined) {
      throw fieldError("inputs", "give either input or inputs, not both");
    }
    return startRun(c, deps, workflowId, { ...options, input: options.input ?? inputs });
  });
  return app;
}
