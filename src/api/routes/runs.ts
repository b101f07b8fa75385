import { type Context, Hono } from "hono";
import { WfdError } from "../../core/errors.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";
import { ok } from "../envelope.ts";
import { assertWorkflowAllowed, requireScope } from "../middleware/auth.ts";
import { ListRunsQuery, LogsQuery } from "../schemas.ts";
import { parseRequest } from "../validate.ts";

async function readableRun(c: Context<ApiEnv>, deps: ApiDeps) {
  const run = await deps.runs.get(c.req.param("id") ?? "");
  assertWorkflowAllowed(c.get("apiKey"), run.workflowId);
  return run;
}

/**
 * NOT_FOUND for a workflow that is neither loaded nor ever was: GET /workflows/:id answers so too.
 * A deleted workflow keeps its stored versions, so its runs stay listed.
 */
async function assertWorkflowKnown(deps: ApiDeps, workflowId: string): Promise<void> {
  if (deps.registry.get(workflowId)) return;
  if ((await deps.store.listVersions(workflowId)).length > 0) return;
  throw new WfdError("NOT_FOUND", `Workflow "${workflowId}" not found`);
}

async function listRuns(c: Context<ApiEnv>, deps: ApiDeps, workflowId?: string) {
  const query = parseRequest(ListRunsQuery, c.req.query(), "query");
  const filterId = workflowId ?? query.workflowId;
  const key = c.get("apiKey");
  if (filterId) assertWorkflowAllowed(key, filterId);
  else if (key.workflows) {
    throw new WfdError(
      "FORBIDDEN",
      `API key "${key.name}" is limited to some workflows; pass workflowId to list runs`,
    );
  }
  // The workflow of the path must exist; the workflowId query parameter only filters.
  if (workflowId) await assertWorkflowKnown(deps, workflowId);
  const page = await deps.store.listRuns({
    limit: query.limit,
    ...(filterId ? { workflowId: filterId } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return ok(c, page.runs, 200, {
    limit: query.limit,
    hasMore: page.nextCursor !== null,
    nextCursor: page.nextCursor,
  });
}

/** Reading, listing and cancelling runs. */
export function runRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const read = requireScope("runs:read");
  app.get("/runs", read, (c) => listRuns(c, deps));
  for (const alias of ["runs", "executions"]) {
    app.get(`/${alias}/:id`, read, async (c) => ok(c, await readableRun(c, deps)));
    app.get(`/workflows/:id/${alias}`, read, (c) => listRuns(c, deps, c.req.param("id")));
  }
  app.get("/runs/:id/logs", read, async (c) => {
    const query = parseRequest(LogsQuery, c.req.query(), "query");
    const run = await readableRun(c, deps);
    // One line more than the page tells whether another page follows, without an empty last page.
    const { lines } = await deps.store.getLogs(run.id, query.after, query.limit + 1);
    const page = lines.slice(0, query.limit);
    const last = page.at(-1);
    return ok(
      c,
      page.map(({ ts, stepId, stream, line }) => ({ ts, stepId, stream, line })),
      200,
      { nextCursor: last ? last.seq : query.after, hasMore: lines.length > query.limit },
    );
  });
  app.post("/runs/:id/cancel", requireScope("runs:cancel"), async (c) => {
    const run = await readableRun(c, deps);
    const cancelled = await deps.runs.cancel(run.id);
    return ok(c, { id: cancelled.id, status: cancelled.status });
  });
  return app;
}
