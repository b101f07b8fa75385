import * as v from "valibot";
import { EVENT_TYPES } from "../core/events.ts";
import { webhookSecretProblem } from "../events/signing.ts";
import { parseByteSize } from "../lib/duration.ts";
import { duration } from "../workflows/rules.ts";

/** A size (`512kb`, `1mb`, or bytes as a number), read as bytes; checked here so it is located. */
const byteSize = v.pipe(
  v.union([v.string(), v.number()], "must be a size such as 512kb or 1mb"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const bytes = parseByteSize(dataset.value);
    if (bytes !== null) return bytes;
    addIssue({ message: `invalid size ${JSON.stringify(dataset.value)} (use e.g. 512kb, 1mb or bytes)` });
    return NEVER;
  }),
);

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

/**
 * An absolute http or https URL: every URL in wfd.yaml is called with fetch or handed out to
 * browsers, so `ftp:`, `file:` or `javascript:` could never work. Only the scheme is echoed, since
 * the rest of a URL may hold credentials.
 */
const httpUrl = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const url = URL.parse(dataset.value);
    if (!url) addIssue({ message: "must be an absolute http or https URL" });
    else if (url.protocol !== "http:" && url.protocol !== "https:")
      addIssue({ message: `must be an http or https URL, not ${url.protocol}` });
  }),
);

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

const ApiKeySchema = v.pipe(
  v.strictObject({
    name: v.pipe(v.string(), v.minLength(1)),
    hash: v.optional(v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex digits>"))),
    key: v.optional(v.pipe(v.string(), v.minLength(16, "must be at least 16 characters"))),
    scopes: v.optional(v.array(ScopeSchema), ["*"]),
    workflows: v.optional(v.array(v.string())),
    rateLimit: v.optional(
      v.strictObject({ execute: v.optional(positiveInt), other: v.optional(positiveInt) }),
    ),
  }),
  // A partial check still runs when other keys of the entry are wrong, so this is never hidden.
  v.partialCheck(
    [["hash"], ["key"]],
    // Given but empty is a problem of that value (too short, not a hash), reported there.
    (key) => (key.hash === undefined) !== (key.key === undefined),
    'give exactly one of "hash" or "key"',
  ),
);

const ConnectionSchema = v.strictObject({
  id: v.pipe(v.string(), v.minLength(1)),
  baseUrl: httpUrl,
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
  url: httpUrl,
  events: v.pipe(
    v.array(v.picklist(EVENT_TYPES, `must be one of ${EVENT_TYPES.join(", ")}`)),
    v.minLength(1, "must name at least one event"),
  ),
  secret: v.optional(webhookSecret),
});

/**
 * The shape of wfd.yaml (DESIGN §3). Every key is optional; durations come out as milliseconds and
 * `bodyLimit` as bytes, so every check of the file happens here, in one pass.
 */
export const ConfigFileSchema = v.strictObject({
  server: v.optional(
    v.strictObject({
      host: v.optional(v.string()),
      port: v.optional(
        v.pipe(
          v.number(),
          v.integer(),
          v.minValue(0, "must be 0 to 65535"),
          v.maxValue(65535, "must be 0 to 65535"),
        ),
      ),
      bodyLimit: v.optional(byteSize),
      publicUrl: v.optional(httpUrl),
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
