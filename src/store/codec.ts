import { WfdError } from "../core/errors.ts";
import type { LogLine, Run, RunError, RunStatus, RunTrigger, StepRecord, StepStatus } from "../core/run.ts";
import type { StoredVersion } from "../core/store.ts";
import type { Workflow } from "../core/workflow.ts";
import { messageOf } from "../lib/message.ts";
import { timeMs } from "./timestamps.ts";

/** A row of `runs` as selected by RUN_COLUMNS. */
export type RunRow = {
  seq: number;
  id: string;
  workflow_id: string;
  workflow_version: number;
  version_id: string;
  status: RunStatus;
  input: string | null;
  output: string | null;
  error: string | null;
  trigger: string;
  idempotency_key: string | null;
  connection_id: string | null;
  entity_type: string | null;
  entity_id: string | null;
  webhook_url: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  /** The steps of a run stored finished at its creation (inlineStepsJson); NULL: see run_steps. */
  steps: string | null;
};

export const RUN_COLUMNS =
  "seq, id, workflow_id, workflow_version, version_id, status, input, output, error, trigger, idempotency_key, " +
  "connection_id, entity_type, entity_id, webhook_url, created_at, started_at, completed_at, steps";

/** A row of `run_steps`. */
export type StepRow = StepColumns & { run_id: string };

/** A step record as columns, ready to bind or to inline (inlineStepsJson). */
export type StepColumns = {
  step_id: string;
  name: string | null;
  type: string;
  status: StepStatus;
  attempts: number;
  started_at: string | null;
  completed_at: string | null;
  output: string | null;
  error: string | null;
};

export const STEP_COLUMNS =
  "run_id, step_id, name, type, status, attempts, started_at, completed_at, output, error";

/** A row of `run_logs`. */
export type LogRow = {
  seq: number;
  ts: string;
  step_id: string | null;
  stream: LogLine["stream"];
  line: string;
};

/** A row of `workflow_versions`. */
export type VersionRow = {
  workflow_id: string;
  version_id: string;
  version: number;
  definition: string;
  source: string;
  first_seen_at: string;
};

/** Serialises a value for a JSON column; `undefined` and `null` become SQL NULL. */
export function toJson(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new Error(`${field}: cannot be stored as JSON (${messageOf(error)})`);
  }
  // JSON.stringify returns undefined for functions and symbols.
  return text ?? null;
}

/** Parses a JSON column; SQL NULL is null. */
export function fromJson<T = unknown>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** Converts a step row to the core StepRecord. */
export function stepFromRow(row: StepRow): StepRecord {
  // Keys in the order of DESIGN §6 (name right after id, when there is one).
  return {
    id: row.step_id,
    ...(row.name === null ? {} : { name: row.name }),
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    output: fromJson(row.output),
    error: fromJson<RunError>(row.error),
  };
}

/** One step of a run stored finished, as inlineStepsJson writes it: the columns of a step row in order. */
type InlineStep = [
  id: string,
  name: string | null,
  type: string,
  status: StepStatus,
  attempts: number,
  startedAt: string | null,
  completedAt: string | null,
  output: unknown,
  error: RunError | null,
];

/** Characters a JSON string never escapes, in the text step ids, types, statuses and timestamps have. */
const PLAIN_TEXT = /^[\w .:-]*$/;

/** A string (or null) as JSON; plain text is quoted without JSON.stringify, which cost 7 calls per step. */
function jsonString(value: string | null): string {
  if (value !== null && PLAIN_TEXT.test(value)) return `"${value}"`;
  return JSON.stringify(value);
}

/**
 * The steps of a run stored finished, as one JSON array with an array of columns per step (no
 * keys, so the row is no larger than step rows would be). `output` and `error` are JSON text
 * already and go in as they are, so nothing is serialised twice.
 */
export function inlineStepsJson(steps: (Omit<StepColumns, "status"> & { status: string })[]): string {
  const columns = steps.map(
    (step) =>
      `[${jsonString(step.step_id)},${jsonString(step.name)},${jsonString(step.type)},${jsonString(step.status)},${step.attempts},` +
      `${jsonString(step.started_at)},${jsonString(step.completed_at)},${step.output ?? "null"},${step.error ?? "null"}]`,
  );
  return `[${columns.join(",")}]`;
}

/** The steps inlineStepsJson wrote, as stepFromRow makes them of rows (same keys, same order). */
function inlineSteps(json: string): StepRecord[] {
  return (JSON.parse(json) as InlineStep[]).map(
    ([id, name, type, status, attempts, startedAt, completedAt, output, error]) => ({
      id,
      ...(name === null ? {} : { name }),
      type,
      status,
      attempts,
      startedAt,
      completedAt,
      output,
      error,
    }),
  );
}

/** Converts a run row and its (ordered) steps to the core Run; a run stored finished brings its own. */
export function runFromRow(row: Omit<RunRow, "seq">, steps: StepRecord[]): Run {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    versionId: row.version_id,
    status: row.status,
    input: fromJson(row.input),
    output: fromJson(row.output),
    error: fromJson<RunError>(row.error),
    trigger: JSON.parse(row.trigger) as RunTrigger,
    idempotencyKey: row.idempotency_key,
    connectionId: row.connection_id,
    entityType: row.entity_type,
    entityId: row.entity_id,
    webhookUrl: row.webhook_url,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    durationMs: durationMs(row.started_at, row.completed_at),
    steps: row.steps === null ? steps : inlineSteps(row.steps),
  };
}

function durationMs(startedAt: string | null, completedAt: string | null): number | null {
  if (startedAt === null || completedAt === null) return null;
  return timeMs(completedAt) - timeMs(startedAt);
}

/** Converts a log row to a log line with its sequence number. */
export function logFromRow(row: LogRow): LogLine & { seq: number } {
  return { seq: row.seq, ts: row.ts, stepId: row.step_id, stream: row.stream, line: row.line };
}

/** Converts a version row to the core StoredVersion. */
export function versionFromRow(row: VersionRow): StoredVersion {
  return {
    workflowId: row.workflow_id,
    versionId: row.version_id,
    version: row.version,
    definition: JSON.parse(row.definition) as Workflow,
    source: row.source,
    firstSeenAt: row.first_seen_at,
  };
}

/** The opaque list cursor: the commit sequence number of the last run of a page. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString("base64url");
}

/** Reads a cursor made by encodeCursor; anything else is a VALIDATION_ERROR on `cursor`. */
export function decodeCursor(cursor: string): number {
  const digits = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"))?.[1];
  if (digits === undefined) {
    throw new WfdError("VALIDATION_ERROR", "cursor: not a cursor returned by a previous page", [
      { path: ["cursor"], message: "not a cursor returned by a previous page" },
    ]);
  }
  return Number(digits);
}

/** The extended result code of a SQLite error (e.g. SQLITE_CONSTRAINT_UNIQUE), if it is one. */
export function sqliteCode(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}
