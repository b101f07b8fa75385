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

const STATUS_MESSAGE = 'must be a status (201), a list of statuses ([200, 204]) or a range ("200-299")';

const STATUS_CODE_MESSAGE = "must be an HTTP status code (100-599)";

const statusCode = v.pipe(
  v.number(STATUS_CODE_MESSAGE),
  v.integer(STATUS_CODE_MESSAGE),
  v.minValue(100, STATUS_CODE_MESSAGE),
  v.maxValue(599, STATUS_CODE_MESSAGE),
);

const STATUS_RANGE = /^([1-5]\d\d)(?:-([1-5]\d\d))?$/;

const statusRange = v.pipe(
  v.string(STATUS_MESSAGE),
  v.regex(STATUS_RANGE, STATUS_MESSAGE),
  v.check((range) => {
    const [, low, high = low] = STATUS_RANGE.exec(range) ?? [];
    // A text the regex rejected is already reported; only order a well-formed range.
    return low === undefined || Number(low) <= Number(high);
  }, 'must be a range from low to high, such as "200-299"'),
);

/**
 * A value that may also be given as a template, checked when it renders at run time. A custom
 * schema, so that for other text the specific message of the real schema is the one reported.
 */
const templateText = v.custom<string>((value) => typeof value === "string" && isTemplate(value));

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
    expectStatus: v.optional(
      v.union([statusCode, v.array(statusCode), statusRange, templateText], STATUS_MESSAGE),
    ),
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
 * keys that exclude each other, an email without a body, and an http URL that is relative without
 * a connection.
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
  if (type === "http") checkRelativeUrl(config.url, step.connection, path, reporter);
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
