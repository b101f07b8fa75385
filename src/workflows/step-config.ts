import * as v from "valibot";
import type { StepType } from "../core/workflow.ts";
import { WORKFLOW_ID_PATTERN } from "../core/workflow.ts";
import { isTemplate } from "../template/index.ts";
import type { Reporter } from "./reporter.ts";
import {
  durationOrTemplate,
  hasTemplate,
  ID_RULE,
  isMapping,
  mapping,
  scalar,
  scalarMapping,
  text,
  textOrTextList,
} from "./rules.ts";
import type { DataPath } from "./source-map.ts";

/* The `config` of each step type (DESIGN §5). Values stay as written: templates render at run time. */

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

const STATUS_MESSAGE =
  'must be a status (201), a range ("200-299" or "4xx") or a list of those ([200, 204], ["2xx", 404])';

const STATUS_CODE_MESSAGE = "must be an HTTP status code (100-599)";

const statusCode = v.pipe(
  v.number(STATUS_CODE_MESSAGE),
  v.integer(STATUS_CODE_MESSAGE),
  v.minValue(100, STATUS_CODE_MESSAGE),
  v.maxValue(599, STATUS_CODE_MESSAGE),
);

/**
 * The text forms parseExpectStatus (src/engine/steps/http-request.ts) accepts at run time: "201",
 * "200-299" (spaces around the dash allowed) and "2xx" in any case. Kept in step with it by
 * test/workflows/step-config.test.ts, which runs both over the same values.
 */
const STATUS_TEXT = /^(?:([1-5]\d\d)(?:\s*-\s*([1-5]\d\d))?|[1-5]xx)$/i;

const statusText = v.pipe(
  v.string(STATUS_MESSAGE),
  v.check((range) => STATUS_TEXT.test(range.trim()), STATUS_MESSAGE),
  v.check((range) => {
    const [, low, high = low] = STATUS_TEXT.exec(range.trim()) ?? [];
    // A text the regex rejected is already reported; only order a well-formed range.
    return low === undefined || Number(low) <= Number(high);
  }, 'must be a range from low to high, such as "200-299"'),
);

/**
 * A value that may also be given as a template, checked when it renders at run time. A custom
 * schema, so that for other text the specific message of the real schema is the one reported.
 */
const templateText = v.custom<string>((value) => typeof value === "string" && isTemplate(value));

/** One expectStatus entry; a template is checked by parseExpectStatus once it renders. */
const statusItem = v.union([statusCode, statusText, templateText], STATUS_MESSAGE);

// An empty list would fail every answer, so the runtime refuses it too.
const statusList = v.pipe(v.array(statusItem, STATUS_MESSAGE), v.minLength(1, "must not be empty"));

const CONFIG_SCHEMAS = {
  transform: v.object({ mapping: v.nonOptional(v.unknown()) }),
  http: v.object({
    method: v.optional(
      v.union([v.picklist(HTTP_METHODS), templateText], `must be one of: ${HTTP_METHODS.join(", ")}`),
    ),
    url: text,
    headers: v.optional(scalarMapping),
    query: v.optional(
      v.pipe(
        mapping,
        v.record(v.string(), v.union([scalar, v.array(scalar)], "must be a value or a list of values")),
      ),
    ),
    json: v.optional(v.unknown()),
    body: v.optional(v.string('must be a string (use "json" for structured data)')),
    form: v.optional(scalarMapping),
    expectStatus: v.optional(v.union([statusItem, statusList], STATUS_MESSAGE)),
  }),
  shell: v.object({
    run: v.optional(text),
    command: v.optional(
      v.pipe(v.array(text, "must be a list of strings"), v.minLength(1, "must not be empty")),
    ),
    cwd: v.optional(text),
    env: v.optional(scalarMapping),
    parse: v.optional(v.picklist(["json"], 'the only supported value is "json"')),
  }),
  email: v.object({
    to: textOrTextList,
    cc: v.optional(textOrTextList),
    bcc: v.optional(textOrTextList),
    from: v.optional(text),
    subject: text,
    text: v.optional(text),
    html: v.optional(text),
  }),
  sleep: v.object({
    duration: v.optional(durationOrTemplate),
    until: v.optional(
      v.pipe(
        text,
        v.check(
          (time) => hasTemplate(time) || !Number.isNaN(Date.parse(time)),
          (issue) =>
            `invalid time ${JSON.stringify(issue.input)} (use ISO 8601, such as 2026-01-15T10:00:00Z)`,
        ),
      ),
    ),
  }),
  workflow: v.object({
    workflow: v.pipe(
      text,
      v.check((id) => hasTemplate(id) || WORKFLOW_ID_PATTERN.test(id), `is not a workflow id: ${ID_RULE}`),
    ),
    input: v.optional(v.unknown()),
  }),
  fail: v.object({ message: v.optional(text) }),
} satisfies Record<StepType, v.GenericSchema>;

/** Keys of which a config may hold at most one (`required`: exactly one). */
const EXCLUSIVE_KEYS: Partial<Record<StepType, { keys: string[]; required: boolean }>> = {
  http: { keys: ["json", "body", "form"], required: false },
  shell: { keys: ["run", "command"], required: true },
  sleep: { keys: ["duration", "until"], required: true },
};

/**
 * Checks the `config` of the step at `steps[index]` against its type: allowed keys, their values,
 * keys that exclude each other, an email without a body, an http URL that is relative without
 * a connection and an http body on a GET or HEAD request.
 */
export function checkStepConfig(step: Record<string, unknown>, index: number, reporter: Reporter): void {
  const type = step.type as StepType;
  const path: DataPath = ["steps", index, "config"];
  if (step.connection !== undefined && type !== "http") {
    reporter.value(["steps", index, "connection"], "only http steps use a connection");
  }
  if (step.config !== undefined && !isMapping(step.config)) return;
  const config = step.config ?? {};
  reporter.check(CONFIG_SCHEMAS[type], config, path);
  checkExclusiveKeys(type, config, path, reporter);
  // Both may be given (a multipart message), so this is not an exclusive pair.
  if (type === "email" && config.text === undefined && config.html === undefined) {
    reporter.missingKey([...path, 'text" or "html']);
  }
  if (type === "http") {
    checkRelativeUrl(config.url, step.connection, path, reporter);
    checkBodylessMethod(config, path, reporter);
  }
}

function checkExclusiveKeys(
  type: StepType,
  config: Record<string, unknown>,
  path: DataPath,
  reporter: Reporter,
): void {
  const rule = EXCLUSIVE_KEYS[type];
  if (!rule) return;
  const present = rule.keys.filter((key) => config[key] !== undefined);
  const choices = rule.keys.map((key) => `"${key}"`).join(" or ");
  if (present.length === 0 && rule.required) {
    reporter.missingKey([...path, rule.keys.join(`" or "`)]);
  }
  for (const key of present.slice(1)) {
    reporter.key(
      [...path, key],
      `${reporter.label(path)}: use only one of ${choices}, not "${present[0]}" and "${key}"`,
    );
  }
}

function checkRelativeUrl(url: unknown, connection: unknown, path: DataPath, reporter: Reporter): void {
  if (typeof url !== "string" || hasTemplate(url) || /^https?:\/\//i.test(url)) return;
  if (!url.startsWith("/")) {
    reporter.value(
      [...path, "url"],
      "must be an absolute http(s) URL, or a path starting with / used with a connection",
    );
  } else if (connection === undefined) {
    reporter.value(
      [...path, "url"],
      `a relative URL needs "connection" on the step (or use an absolute URL)`,
    );
  }
}

/**
 * fetch refuses a body on GET and HEAD (the default method is GET), and the runtime refuses it with
 * INVALID_CONFIG; a literal method lets the mistake be reported here. A templated method is left
 * to the runtime.
 */
function checkBodylessMethod(config: Record<string, unknown>, path: DataPath, reporter: Reporter): void {
  const method = config.method ?? "GET";
  if (method !== "GET" && method !== "HEAD") return;
  const key = ["json", "body", "form"].find((name) => config[name] !== undefined);
  if (key === undefined) return;
  const how = config.method === undefined ? ' (the default method); set "method", such as POST' : "";
  reporter.key(
    [...path, key],
    `${reporter.label([...path, key])}: a ${method} request cannot have a body${how}`,
  );
}
