import { type ConversionConfig, toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import packageJson from "../../package.json" with { type: "json" };
import { API_ERROR_STATUS } from "../core/errors.ts";
import {
  CreateRunBody,
  CreateWorkflowBody,
  ListRunsQuery,
  ListWorkflowsQuery,
  LogsQuery,
  PatchWorkflowBody,
  RunWorkflowBody,
} from "./schemas.ts";
import { CreateWebhookBody, ListDeliveriesQuery } from "./webhook-schemas.ts";

type Schema = v.GenericSchema;
type ObjectSchema = v.StrictObjectSchema<v.ObjectEntries, undefined>;

const CONVERSION: ConversionConfig = { target: "draft-2020-12", typeMode: "input", errorMode: "ignore" };

interface Operation {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  summary: string;
  scope: string | null;
  body?: Schema;
  query?: ObjectSchema;
  success?: number;
}

const runAliases = ["run", "execute", "trigger"].map(
  (verb): Operation => ({
    method: "post",
    path: `/api/v1/workflows/{id}/${verb}`,
    summary: "Start a run of the workflow",
    scope: "workflows:execute",
    body: RunWorkflowBody,
    success: 202,
  }),
);

const OPERATIONS: Operation[] = [
  ...runAliases,
  {
    method: "post",
    path: "/api/v1/runs",
    summary: "Start a run",
    scope: "workflows:execute",
    body: CreateRunBody,
    success: 202,
  },
  { method: "get", path: "/api/v1/runs", summary: "List runs", scope: "runs:read", query: ListRunsQuery },
  { method: "get", path: "/api/v1/runs/{id}", summary: "A run with its steps", scope: "runs:read" },
  { method: "get", path: "/api/v1/executions/{id}", summary: "Alias of GET /runs/{id}", scope: "runs:read" },
  {
    method: "get",
    path: "/api/v1/runs/{id}/logs",
    summary: "A run's log lines",
    scope: "runs:read",
    query: LogsQuery,
  },
  { method: "post", path: "/api/v1/runs/{id}/cancel", summary: "Cancel a run", scope: "runs:cancel" },
  {
    method: "get",
    path: "/api/v1/workflows",
    summary: "List workflows",
    scope: "workflows:read",
    query: ListWorkflowsQuery,
  },
  {
    method: "post",
    path: "/api/v1/workflows",
    summary: "Create a workflow file",
    scope: "workflows:write",
    body: CreateWorkflowBody,
    success: 201,
  },
  {
    method: "get",
    path: "/api/v1/workflows/{id}",
    summary: "A workflow with its steps",
    scope: "workflows:read",
  },
  {
    method: "patch",
    path: "/api/v1/workflows/{id}",
    summary: "Replace a workflow or set its status",
    scope: "workflows:write",
    body: PatchWorkflowBody,
  },
  {
    method: "delete",
    path: "/api/v1/workflows/{id}",
    summary: "Delete a workflow file",
    scope: "workflows:write",
  },
  {
    method: "get",
    path: "/api/v1/workflows/{id}/versions",
    summary: "Versions of a workflow",
    scope: "workflows:read",
  },
  {
    method: "get",
    path: "/api/v1/workflows/{id}/runs",
    summary: "Runs of a workflow",
    scope: "runs:read",
    query: ListRunsQuery,
  },
  {
    method: "get",
    path: "/api/v1/workflows/{id}/executions",
    summary: "Alias of /runs",
    scope: "runs:read",
    query: ListRunsQuery,
  },
  { method: "get", path: "/api/v1/webhooks", summary: "List webhook subscriptions", scope: "webhooks:read" },
  {
    method: "post",
    path: "/api/v1/webhooks",
    summary: "Create a webhook subscription (its secret is returned only here)",
    scope: "webhooks:write",
    body: CreateWebhookBody,
    success: 201,
  },
  { method: "get", path: "/api/v1/webhooks/{id}", summary: "A webhook subscription", scope: "webhooks:read" },
  {
    method: "delete",
    path: "/api/v1/webhooks/{id}",
    summary: "Delete a webhook subscription",
    scope: "webhooks:write",
  },
  {
    method: "get",
    path: "/api/v1/webhooks/{id}/deliveries",
    summary: "Deliveries of a subscription with every attempt",
    scope: "webhooks:read",
    query: ListDeliveriesQuery,
  },
  {
    method: "get",
    path: "/api/v1/openapi.json",
    summary: "This OpenAPI document (no key needed)",
    scope: null,
  },
];

const ENVELOPE_ERROR = {
  type: "object",
  required: ["success", "error", "meta"],
  properties: {
    success: { const: false },
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { enum: Object.keys(API_ERROR_STATUS) },
        message: { type: "string" },
        details: {
          type: "array",
          items: {
            type: "object",
            properties: {
              path: { type: "array", items: { type: ["string", "integer"] } },
              message: { type: "string" },
            },
          },
        },
      },
    },
    meta: { type: "object", properties: { requestId: { type: "string" } } },
  },
};

function parametersOf(operation: Operation) {
  const path = operation.path.includes("{id}")
    ? [{ name: "id", in: "path", required: true, schema: { type: "string" } }]
    : [];
  const entries = Object.entries(operation.query?.entries ?? {});
  const query = entries.map(([name, schema]) => ({
    name,
    in: "query",
    required: false,
    schema: toJsonSchema(schema as Schema, CONVERSION),
  }));
  const header =
    operation.body && operation.success === 202
      ? [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" } }]
      : [];
  return [...path, ...query, ...header];
}

function operationObject(operation: Operation) {
  const success = operation.success ?? 200;
  return {
    summary: operation.summary,
    ...(operation.scope ? { security: [{ apiKey: [] }, { bearer: [] }], "x-scope": operation.scope } : {}),
    parameters: parametersOf(operation),
    ...(operation.body
      ? {
          requestBody: {
            required: operation.method === "post" && !operation.path.includes("/{id}/"),
            content: { "application/json": { schema: toJsonSchema(operation.body, CONVERSION) } },
          },
        }
      : {}),
    responses: {
      [String(success)]: { description: "Success: `{success: true, data, meta}`" },
      default: { description: "Error", content: { "application/json": { schema: ENVELOPE_ERROR } } },
    },
  };
}

/** The OpenAPI 3.1 document of API v1, generated from the valibot schemas that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, unknown>)[operation.method] = operationObject(operation);
  }
  return {
    openapi: "3.1.0",
    info: { title: "wfd API", version: packageJson.version },
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        bearer: { type: "http", scheme: "bearer" },
      },
    },
    paths,
  };
}
