import * as v from "valibot";

/** Request shapes of API v1, used both to validate requests and to generate /openapi.json. */

const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));

const runOptions = {
  input: v.optional(v.unknown()),
  idempotencyKey: v.optional(text(255)),
  connectionId: v.optional(text(255)),
  webhookUrl: v.optional(
    v.pipe(
      v.string(),
      v.url("must be an absolute URL"),
      v.maxLength(2048, "must be at most 2048 characters"),
    ),
  ),
  entityType: v.optional(text(255)),
  entityId: v.optional(text(255)),
  wait: v.optional(
    v.pipe(
      v.number(),
      v.minValue(0, "must be at least 0 seconds"),
      v.maxValue(60, "must be at most 60 seconds"),
    ),
  ),
};

/** POST /workflows/:id/run (and aliases). */
export const RunWorkflowBody = v.strictObject(runOptions);

/** POST /runs: the same with the workflow id; `inputs` is accepted for `input` (not both: see execute.ts). */
export const CreateRunBody = v.strictObject({
  ...runOptions,
  workflowId: text(255),
  inputs: v.optional(v.unknown()),
});

/** An optional `limit` query parameter from 1 to `max`. */
export const limit = (max: number, fallback: number) =>
  v.optional(
    v.pipe(v.string(), v.toNumber(), v.integer("must be an integer"), v.minValue(1), v.maxValue(max)),
    String(fallback),
  );

const isoDate = v.pipe(v.string(), v.isoTimestamp("must be an ISO 8601 timestamp"));

/** GET /runs and GET /workflows/:id/runs. */
export const ListRunsQuery = v.strictObject({
  workflowId: v.optional(text(255)),
  status: v.optional(v.picklist(["pending", "running", "completed", "failed", "cancelled"])),
  from: v.optional(isoDate),
  to: v.optional(isoDate),
  limit: limit(100, 20),
  cursor: v.optional(text(512)),
});

/** GET /runs/:id/logs. */
export const LogsQuery = v.strictObject({
  after: v.optional(v.pipe(v.string(), v.toNumber(), v.integer("must be an integer"), v.minValue(0)), "0"),
  limit: limit(1000, 500),
});

/** GET /workflows. */
export const ListWorkflowsQuery = v.strictObject({
  page: v.optional(v.pipe(v.string(), v.toNumber(), v.integer("must be an integer"), v.minValue(1)), "1"),
  limit: limit(100, 20),
  status: v.optional(v.picklist(["active", "draft", "disabled"])),
  search: v.optional(v.pipe(v.string(), v.maxLength(200))),
});

/** POST /workflows with `{id?, yaml}`. */
export const CreateWorkflowYamlBody = v.strictObject({ id: v.optional(text(255)), yaml: text(1_000_000) });

/** POST /workflows with the workflow itself as JSON (its `id` names the file). */
export const CreateWorkflowJsonBody = v.looseObject({
  id: text(255),
  name: v.string(),
  steps: v.array(v.unknown()),
});

/** POST /workflows: either form (the OpenAPI document shows both). */
export const CreateWorkflowBody = v.union([CreateWorkflowYamlBody, CreateWorkflowJsonBody]);

/** PATCH /workflows/:id with new YAML. */
export const PatchWorkflowYamlBody = v.strictObject({ yaml: text(1_000_000) });

/** PATCH /workflows/:id with only a new status (publish / unpublish). */
export const PatchWorkflowStatusBody = v.strictObject({
  status: v.picklist(["active", "draft", "disabled"]),
});

/** PATCH /workflows/:id: either form (the OpenAPI document shows both). */
export const PatchWorkflowBody = v.union([PatchWorkflowYamlBody, PatchWorkflowStatusBody]);

/** True when a body is an object with `yaml`: it picks the YAML form of a union, so errors name real fields. */
export function hasYaml(body: unknown): boolean {
  return typeof body === "object" && body !== null && "yaml" in body;
}
