import * as v from "valibot";
import { EVENT_TYPES } from "../core/events.ts";
import { webhookSecretProblem } from "../events/signing.ts";

const duration = v.pipe(v.union([v.string(), v.number()]), v.description("a duration such as 30s, 10m, 24h"));
const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

const SCOPES = [
  "workflows:read",
  "workflows:write",
  "workflows:execute",
  "runs:read",
  "runs:cancel",
  "forms:read",
  "forms:submit",
  "credentials:read",
  "credentials:write",
  "webhooks:read",
  "webhooks:write",
  "*",
] as const;

export const ScopeSchema = v.picklist(SCOPES);
export type Scope = v.InferOutput<typeof ScopeSchema>;

const ApiKeySchema = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1)),
  hash: v.optional(v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex digits>"))),
  key: v.optional(v.pipe(v.string(), v.minLength(16, "must be at least 16 characters"))),
  scopes: v.optional(v.array(ScopeSchema), ["*"]),
  workflows: v.optional(v.array(v.string())),
  rateLimit: v.optional(v.strictObject({ execute: v.optional(positiveInt), other: v.optional(positiveInt) })),
});

const ConnectionSchema = v.strictObject({
  id: v.pipe(v.string(), v.minLength(1)),
  baseUrl: v.pipe(v.string(), v.url("must be an absolute URL")),
  headers: v.optional(v.record(v.string(), v.string())),
});

/** A Standard Webhooks secret, `whsec_<base64>`. */
const webhookSecret = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? webhookSecretProblem(dataset.value) : null;
    if (problem) addIssue({ message: problem });
  }),
);

const WebhookSubscriptionSchema = v.strictObject({
  url: v.pipe(v.string(), v.url("must be an absolute URL")),
  events: v.pipe(
    v.array(v.picklist(EVENT_TYPES, `must be one of ${EVENT_TYPES.join(", ")}`)),
    v.minLength(1, "must name at least one event"),
  ),
  secret: v.optional(webhookSecret),
});

/** The shape of wfd.yaml (DESIGN §3). Every key is optional. */
export const ConfigFileSchema = v.strictObject({
  server: v.optional(
    v.strictObject({
      host: v.optional(v.string()),
      port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535))),
      bodyLimit: v.optional(v.union([v.string(), v.number()])),
      publicUrl: v.optional(v.pipe(v.string(), v.url("must be an absolute URL"))),
    }),
  ),
  workflowsDir: v.optional(v.string()),
  dataDir: v.optional(v.string()),
  concurrency: v.optional(positiveInt),
  retention: v.optional(v.strictObject({ runs: v.optional(duration) })),
  idempotency: v.optional(v.strictObject({ ttl: v.optional(duration) })),
  apiKeys: v.optional(v.array(ApiKeySchema)),
  secrets: v.optional(v.record(v.string(), v.string())),
  env: v.optional(v.array(v.string())),
  connections: v.optional(v.record(v.string(), v.array(ConnectionSchema))),
  smtp: v.optional(v.strictObject({ url: v.string(), from: v.optional(v.string()) })),
  webhooks: v.optional(v.array(WebhookSubscriptionSchema)),
  outbound: v.optional(
    v.strictObject({ allowPrivate: v.optional(v.boolean()), secret: v.optional(webhookSecret) }),
  ),
  store: v.optional(
    v.strictObject({
      synchronous: v.optional(v.picklist(["FULL", "NORMAL"])),
      groupCommit: v.optional(v.boolean()),
    }),
  ),
  shutdown: v.optional(v.strictObject({ gracePeriod: v.optional(duration) })),
  log: v.optional(
    v.strictObject({
      level: v.optional(v.picklist(["debug", "info", "warn", "error"])),
      format: v.optional(v.picklist(["json", "pretty"])),
    }),
  ),
});

export type ConfigFile = v.InferOutput<typeof ConfigFileSchema>;
