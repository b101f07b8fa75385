import type { RunErrorCode } from "./errors.ts";

export const RUN_STATUSES = ["pending", "running", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ["completed", "failed", "cancelled"];

export const STEP_STATUSES = ["pending", "running", "completed", "failed", "skipped", "cancelled"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export type RunTrigger =
  | { type: "api"; apiKey?: string }
  | { type: "schedule"; scheduledFor: string; trigger?: number }
  | { type: "cli" }
  | { type: "webhook" }
  | { type: "form"; submissionId: string }
  | { type: "workflow"; parentRunId: string; parentStepId: string };

export interface RunError {
  code: RunErrorCode | string;
  message: string;
  /** The step that failed, when a step did. */
  step?: string;
}

/** The state of one step of a run (DESIGN §6). Timestamps are ISO 8601 UTC with milliseconds. */
export interface StepRecord {
  id: string;
  name?: string;
  type: string;
  status: StepStatus;
  attempts: number;
  startedAt: string | null;
  completedAt: string | null;
  output: unknown;
  error: RunError | null;
}

/** The run object of the API and of `wfd run --json` (DESIGN §6). */
export interface Run {
  id: string;
  workflowId: string;
  workflowVersion: number;
  versionId: string;
  status: RunStatus;
  input: unknown;
  output: unknown;
  error: RunError | null;
  trigger: RunTrigger;
  idempotencyKey: string | null;
  connectionId: string | null;
  entityType: string | null;
  entityId: string | null;
  webhookUrl: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  steps: StepRecord[];
}

/** One line of a run's log. */
export interface LogLine {
  ts: string;
  stepId: string | null;
  stream: "stdout" | "stderr" | "system";
  line: string;
}

let lastMs = Number.NaN;
let lastIso = "";

/** Formats epoch milliseconds as ISO 8601 UTC with milliseconds. */
export function isoTime(ms: number): string {
  // A run stamps its creation, start, steps and end mostly within one millisecond: format it once.
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
