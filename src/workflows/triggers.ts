import { Cron } from "croner";
import * as v from "valibot";
import type { Trigger } from "../core/workflow.ts";
import type { Reporter } from "./reporter.ts";
import { flag, isMapping, nonEmptyText, oneOf, text } from "./rules.ts";
import type { DataPath } from "./source-map.ts";

export const TRIGGER_TYPES = ["api", "schedule", "webhook", "form"] as const;

/** Field types a form trigger may use (they map to HTML inputs). */
export const FORM_FIELD_TYPES = [
  "text",
  "textarea",
  "email",
  "url",
  "tel",
  "number",
  "checkbox",
  "select",
  "date",
] as const;

/**
 * Problem with a cron expression, or null when croner accepts it. DESIGN allows 5 fields, or 6
 * with seconds first; croner also takes a 7th (year) field, which wfd rejects to keep schedules
 * portable. Croner's nicknames (`@daily`, `@hourly`...) are accepted.
 */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (!expression.trim().startsWith("@") && fields.length !== 5 && fields.length !== 6) {
    return `invalid cron expression ${JSON.stringify(expression)}: expected 5 fields (minute hour day month weekday) or 6 (seconds first), found ${fields.length}`;
  }
  try {
    new Cron(expression, { paused: true });
    return null;
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern: /, "");
    return `invalid cron expression ${JSON.stringify(expression)}: ${cronReason(reason, fields)}`;
  }
}

/**
 * Croner's names for the fields, in the order of its 7-field pattern (a 5-field expression gets
 * seconds put in front), with the range a user may write. Croner keeps day-of-month and month
 * zero-based, so its "Invalid value" messages give them one less than written: `offset` adds it back.
 */
const CRON_FIELDS: Record<string, { name: string; min: number; max: number; offset: number }> = {
  second: { name: "second", min: 0, max: 59, offset: 0 },
  minute: { name: "minute", min: 0, max: 59, offset: 0 },
  hour: { name: "hour", min: 0, max: 23, offset: 0 },
  day: { name: "day-of-month", min: 1, max: 31, offset: 1 },
  // A `W` (nearest weekday) value is kept apart but written in the day-of-month field.
  nearestWeekdays: { name: "day-of-month", min: 1, max: 31, offset: 1 },
  month: { name: "month", min: 1, max: 12, offset: 1 },
  dayOfWeek: { name: "day-of-week", min: 0, max: 7, offset: 0 },
};
const CRON_FIELD_ORDER = ["second", "minute", "hour", "day", "month", "dayOfWeek"];

/**
 * Croner's reason in the user's terms: an out-of-range value as written, with its field and range;
 * illegal characters with the field's name and its text as written (croner shows the text after
 * replacing month and weekday names, and counts entries from seconds even in a 5-field expression).
 * Other reasons already quote what was written.
 */
function cronReason(reason: string, fields: string[]): string {
  const range = /^Invalid value for (\w+): (-?\d+)$/.exec(reason);
  const field = range && CRON_FIELDS[range[1] as string];
  if (range && field) {
    return `${field.name} ${Number(range[2]) + field.offset} is out of range ${field.min}-${field.max}`;
  }
  const illegal = /^configuration entry (\d) \(.*\) contains illegal characters\.$/.exec(reason);
  const entry = Number(illegal?.[1]);
  const name = CRON_FIELDS[CRON_FIELD_ORDER[entry] ?? ""]?.name;
  if (!name) return reason;
  const written = fields[entry - (6 - fields.length)];
  return `${name} ${JSON.stringify(written)} contains characters cron does not allow`;
}

/** Answers per zone name: building a DateTimeFormat costs about half a millisecond. */
const knownTimeZones = new Map<string, boolean>();

/** True when `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  let known = knownTimeZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat(undefined, { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    // Names come from files; the bound keeps a stream of bad names from growing the cache forever.
    if (knownTimeZones.size < 1000) knownTimeZones.set(zone, known);
  }
  return known;
}

const cron = v.pipe(
  text,
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = cronProblem(dataset.value);
    if (problem) addIssue({ message: problem });
  }),
);

const timezone = v.pipe(
  text,
  v.check(
    isTimeZone,
    (issue) => `unknown time zone ${JSON.stringify(issue.input)} (use an IANA name such as Europe/Amsterdam)`,
  ),
);

const FormFieldSchema = v.object(
  {
    name: nonEmptyText,
    type: v.optional(oneOf(FORM_FIELD_TYPES), "text"),
    label: v.optional(text),
    required: v.optional(flag),
    options: v.optional(v.array(text, "must be a list of strings")),
  },
  "must be a mapping such as { name: email, type: email }",
);

const TRIGGER_SCHEMAS = {
  api: v.object({ type: v.literal("api") }),
  schedule: v.object({
    type: v.literal("schedule"),
    cron,
    timezone: v.optional(timezone, "UTC"),
    input: v.optional(v.unknown()),
    overlap: v.optional(oneOf(["skip", "allow", "queue"]), "skip"),
    catchUp: v.optional(oneOf(["none", "latest"]), "none"),
  }),
  webhook: v.object({
    type: v.literal("webhook"),
    secret: v.optional(text),
    signature: v.optional(oneOf(["stripe", "github", "standard", "hmac-sha256", "token"]), "standard"),
  }),
  form: v.object({
    type: v.literal("form"),
    fields: v.pipe(
      v.array(FormFieldSchema, "must be a list of fields"),
      v.minLength(1, "must contain at least one field"),
    ),
  }),
};

/** The triggers as written: `trigger:` holds one trigger or a list; absent means the API only. */
export function triggerEntries(raw: unknown): { value: unknown; path: DataPath }[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw.map((value, index) => ({ value, path: ["trigger", index] }));
  return [{ value: raw, path: ["trigger"] }];
}

/**
 * Checks every trigger and returns them normalized (defaults filled in), or null when any has a
 * problem. A workflow without triggers gets `[{ type: "api" }]`.
 */
export function checkTriggers(raw: unknown, reporter: Reporter): Trigger[] | null {
  const entries = triggerEntries(raw);
  if (entries.length === 0) return [{ type: "api" }];
  const triggers = entries.map(({ value, path }) => checkTrigger(value, path, reporter));
  return triggers.every((trigger) => trigger !== null) ? (triggers as Trigger[]) : null;
}

function checkTrigger(value: unknown, path: DataPath, reporter: Reporter): Trigger | null {
  if (!isMapping(value)) {
    reporter.value(path, "must be a mapping with a type, such as { type: schedule, cron: ... }");
    return null;
  }
  if (value.type === undefined) {
    reporter.missingKey([...path, "type"]);
    return null;
  }
  if (!TRIGGER_TYPES.includes(value.type as (typeof TRIGGER_TYPES)[number])) {
    const known = TRIGGER_TYPES.join(", ");
    reporter.value(
      [...path, "type"],
      `unknown trigger type ${JSON.stringify(value.type)}; known types: ${known}`,
    );
    return null;
  }
  const schema = TRIGGER_SCHEMAS[value.type as keyof typeof TRIGGER_SCHEMAS];
  const trigger = reporter.check(schema, value, path);
  if (value.type === "form" && checkFormFields(value.fields, path, reporter) === false) return null;
  return trigger ?? null;
}

/** Rules across fields: unique names, and options for select fields. Returns false on a problem. */
function checkFormFields(fields: unknown, path: DataPath, reporter: Reporter): boolean {
  if (!Array.isArray(fields)) return true;
  const before = reporter.problems.length;
  const seen = new Set<unknown>();
  fields.forEach((field, index) => {
    if (!isMapping(field)) return;
    const fieldPath = [...path, "fields", index];
    if (typeof field.name === "string" && seen.has(field.name)) {
      reporter.value([...fieldPath, "name"], `duplicate field name "${field.name}"`);
    }
    seen.add(field.name);
    if (field.type === "select" && !(Array.isArray(field.options) && field.options.length > 0)) {
      reporter.value([...fieldPath, "type"], `a select field needs "options" (a list of choices)`);
    }
  });
  return reporter.problems.length === before;
}
