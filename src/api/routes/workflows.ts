import { type Context, Hono } from "hono";
import { WfdError } from "../../core/errors.ts";
import { formatProblem, type Workflow } from "../../core/workflow.ts";
import { nextRunTimes } from "../../scheduler/planner.ts";
import type { RegistryEntry } from "../../workflows/registry.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";
import { ok } from "../envelope.ts";
import { assertWorkflowAllowed, keyAllowsWorkflow, requireScope } from "../middleware/auth.ts";
import { ListWorkflowsQuery } from "../schemas.ts";
import { parseRequest } from "../validate.ts";

/** The base of endpoint links: the configured public URL, else the origin the caller used. */
function baseUrl(c: Context, deps: ApiDeps): string {
  return (deps.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "");
}

/**
 * Triggers as shown to API callers: each schedule with its next fire time (`nextRunAt`, null for
 * workflows that are not active), and webhook secrets masked, since secrets are never returned.
 */
function publicTriggers(definition: Workflow, now: number) {
  const next = new Map(nextRunTimes(definition, now).map((time) => [time.triggerIndex, time.nextRunAt]));
  return definition.triggers.map((trigger, index) => {
    if (trigger.type === "schedule") return { ...trigger, nextRunAt: next.get(index) ?? null };
    if (trigger.type === "webhook" && trigger.secret) return { ...trigger, secret: "***" };
    return trigger;
  });
}

/** A workflow as listed by GET /workflows. */
export async function workflowItem(c: Context, deps: ApiDeps, entry: RegistryEntry) {
  const { definition } = entry.version;
  return {
    id: entry.id,
    name: definition.name,
    description: definition.description ?? null,
    status: definition.status,
    triggers: publicTriggers(definition, deps.clock.now()),
    version: entry.version.version,
    versionId: entry.version.versionId,
    file: entry.file,
    endpoint: `${baseUrl(c, deps)}/api/v1/workflows/${encodeURIComponent(entry.id)}/run`,
    updatedAt: entry.updatedAt,
    stats: await deps.store.workflowStats(entry.id),
    errors: entry.errors.map(formatProblem),
  };
}

/** A workflow as shown by GET /workflows/:id: the list item plus its definition. */
export async function workflowDetail(c: Context, deps: ApiDeps, entry: RegistryEntry) {
  const { definition } = entry.version;
  return {
    ...(await workflowItem(c, deps, entry)),
    steps: definition.steps,
    inputSchema: definition.inputSchema ?? null,
    output: definition.output ?? null,
  };
}

/** The registry entry of `:id`, checked against the key's allow-list; NOT_FOUND when unknown. */
export function entryOf(c: Context<ApiEnv>, deps: ApiDeps): RegistryEntry {
  const id = c.req.param("id") ?? "";
  assertWorkflowAllowed(c.get("apiKey"), id);
  const entry = deps.registry.get(id);
  if (!entry) throw new WfdError("NOT_FOUND", `Workflow "${id}" not found`);
  return entry;
}

function matches(entry: RegistryEntry, search: string | undefined): boolean {
  if (!search) return true;
  const needle = search.toLowerCase();
  const { name, description } = entry.version.definition;
  return [entry.id, name, description ?? ""].some((text) => text.toLowerCase().includes(needle));
}

/** Listing and reading workflows and their versions. */
export function workflowReadRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const read = requireScope("workflows:read");
  app.get("/workflows", read, async (c) => {
    const query = parseRequest(ListWorkflowsQuery, c.req.query(), "query");
    const key = c.get("apiKey");
    const found = deps.registry
      .list()
      .filter((entry) => keyAllowsWorkflow(key, entry.id))
      .filter((entry) => !query.status || entry.version.definition.status === query.status)
      .filter((entry) => matches(entry, query.search));
    const start = (query.page - 1) * query.limit;
    const items = await Promise.all(
      found.slice(start, start + query.limit).map((entry) => workflowItem(c, deps, entry)),
    );
    return ok(c, items, 200, {
      page: query.page,
      limit: query.limit,
      total: found.length,
      hasMore: start + query.limit < found.length,
    });
  });
  app.get("/workflows/:id", read, async (c) => ok(c, await workflowDetail(c, deps, entryOf(c, deps))));
  app.get("/workflows/:id/versions", read, async (c) => {
    const id = c.req.param("id");
    assertWorkflowAllowed(c.get("apiKey"), id);
    const versions = await deps.store.listVersions(id);
    if (!versions.length) throw new WfdError("NOT_FOUND", `Workflow "${id}" not found`);
    const current = deps.registry.get(id)?.version.versionId;
    return ok(
      c,
      versions.map((version) => ({
        version: version.version,
        versionId: version.versionId,
        hash: version.versionId,
        firstSeenAt: version.firstSeenAt,
        current: version.versionId === current,
      })),
    );
  });
  return app;
}
