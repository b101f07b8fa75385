import * as v from "valibot";
import { WORKFLOW_ID_PATTERN } from "../core/workflow.ts";
import { parseDuration } from "../lib/duration.ts";

/* Reusable valibot pieces with messages written for people editing YAML. */

/** True for a YAML mapping (a plain object, not a list or null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when a string contains template markup, so its final value is only known at run time. */
export function hasTemplate(value: unknown): boolean {
  return typeof value === "string" && (value.includes("{{") || value.includes("{%"));
}

export const text = v.string("must be a string");

export const nonEmptyText = v.pipe(text, v.nonEmpty("must not be empty"));

export const flag = v.boolean("must be true or false");

export const mapping = v.custom<Record<string, unknown>>(isMapping, "must be a mapping (key: value pairs)");

export const ID_RULE = "must start with a letter or digit and contain only letters, digits, _ and -";

export const identifier = v.pipe(text, v.regex(WORKFLOW_ID_PATTERN, ID_RULE));

export const positiveInteger = v.pipe(
  v.number("must be a positive integer"),
  v.integer("must be a positive integer"),
  v.minValue(1, "must be a positive integer"),
);

/** One of a fixed set of strings. */
export function oneOf<const T extends string>(options: readonly T[]) {
  return v.picklist(options, `must be one of: ${options.join(", ")}`);
}

/** A scalar a template or header can hold: string, number or boolean. */
export const scalar = v.union(
  [v.string(), v.number(), v.boolean()],
  "must be a string, number or true/false",
);

/** A string or a list of strings (`to: a@x` or `to: [a@x, b@x]`). */
export const textOrTextList = v.union(
  [v.string(), v.array(v.string())],
  "must be a string or a list of strings",
);

/** A mapping whose values are scalars (headers, env, form fields). */
export const scalarMapping = v.pipe(mapping, v.record(v.string(), scalar));

function invalidDuration(value: unknown): string {
  return `invalid duration ${JSON.stringify(value)} (use e.g. 500ms, 30s, 10m, 1h30m)`;
}

/** A duration (`30s`, `10m`, `1h30m`, or milliseconds as a number), converted to milliseconds. */
export const duration = v.pipe(
  v.union([v.string(), v.number()], "must be a duration such as 30s, 10m or 1h"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const ms = parseDuration(dataset.value);
    if (ms === null) {
      addIssue({ message: invalidDuration(dataset.value) });
      return NEVER;
    }
    return ms;
  }),
);

/** A duration that must be longer than zero (timeouts). */
export const positiveDuration = v.pipe(duration, v.minValue(1, "must be longer than 0"));

/** A duration, or a template that renders one at run time (sleep steps). */
export const durationOrTemplate = v.pipe(
  v.union([v.string(), v.number()], "must be a duration such as 30s, 10m or 1h"),
  v.check(
    (value) => hasTemplate(value) || parseDuration(value) !== null,
    (issue) => invalidDuration(issue.input),
  ),
);
