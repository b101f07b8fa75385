import { type LogLine, STEP_STATUSES, type StepRecord } from "../core/run.ts";
import type {
  ExecutedRun,
  IdempotencyClaim,
  NewRun,
  RunFinish,
  RunLease,
  ScheduleSlotClaim,
} from "../core/store.ts";
import { inlineStepsJson, toJson } from "./codec.ts";
import type { LogInsert } from "./operations.ts";
import type { RunInsertParams, StepUpsertParams } from "./statements.ts";
import { isoParam } from "./timestamps.ts";

// Validation and serialisation happen before an operation is queued, so a bad argument is
// rejected with a message naming its field and never reaches the shared batch transaction.

const LOG_STREAMS: readonly LogLine["stream"][] = ["stdout", "stderr", "system"];
const FINISH_STATUSES: readonly RunFinish["status"][] = ["completed", "failed", "cancelled"];

function requireText(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw new Error(`${field}: must be a non-empty string`);
  return value;
}

function optionalTime(value: string | null, field: string): string | null {
  return value === null ? null : isoParam(value, field);
}

/** The columns of a new run: pending, running under `lease`, or finished as `executed`. */
export function runInsertParams(run: NewRun, lease?: RunLease, executed?: ExecutedRun): RunInsertParams {
  if (lease && executed) throw new Error("createRun: a run is either leased or executed, not both");
  if (!Number.isInteger(run.workflowVersion) || run.workflowVersion < 1) {
    throw new Error(
      `createRun: workflowVersion must be a positive integer, got ${String(run.workflowVersion)}`,
    );
  }
  if (typeof run.trigger?.type !== "string") throw new Error("createRun: trigger.type must be a string");
  return {
    id: requireText(run.id, "createRun: id"),
    workflow_id: requireText(run.workflowId, "createRun: workflowId"),
    workflow_version: run.workflowVersion,
    version_id: requireText(run.versionId, "createRun: versionId"),
    input: toJson(run.input, "createRun: input"),
    trigger: toJson(run.trigger, "createRun: trigger") as string,
    idempotency_key: run.idempotencyKey ?? null,
    connection_id: run.connectionId ?? null,
    entity_type: run.entityType ?? null,
    entity_id: run.entityId ?? null,
    webhook_url: run.webhookUrl ?? null,
    created_at: isoParam(run.createdAt, "createRun: createdAt"),
    ...(executed ? executedColumns(run.id, executed) : leaseColumns(lease)),
  };
}

function leaseColumns(lease: RunLease | undefined) {
  return {
    status: lease ? "running" : "pending",
    started_at: lease ? isoParam(lease.startedAt, "createRun: lease.startedAt") : null,
    output: null,
    error: null,
    completed_at: null,
    lease_owner: lease ? requireText(lease.owner, "createRun: lease.owner") : null,
    lease_until: lease ? isoParam(lease.leaseUntil, "createRun: lease.leaseUntil") : null,
    steps: null,
  } as const;
}

function executedColumns(runId: string, executed: ExecutedRun) {
  const { status, output, error, completed_at } = finishParams(
    "",
    executed.finish,
    "createRun: executed.finish",
  );
  return {
    status,
    started_at: isoParam(executed.startedAt, "createRun: executed.startedAt"),
    output,
    error,
    completed_at,
    lease_owner: null,
    lease_until: null,
    // Its steps are final: kept in the run's row, one write instead of one more per step.
    steps: inlineStepsJson(executed.steps.map((step) => stepParams(runId, step))),
  };
}

/** A validated idempotency claim. */
export function idempotencyParams(claim: IdempotencyClaim): IdempotencyClaim {
  return {
    key: requireText(claim.key, "createRun: idempotency.key"),
    requestHash: requireText(claim.requestHash, "createRun: idempotency.requestHash"),
    expiresAt: isoParam(claim.expiresAt, "createRun: idempotency.expiresAt"),
  };
}

/** A validated schedule slot claim. */
export function slotParams(claim: ScheduleSlotClaim): ScheduleSlotClaim {
  if (!Number.isInteger(claim.triggerIndex) || claim.triggerIndex < 0) {
    throw new Error(
      `createRun: slot.triggerIndex must be an integer >= 0, got ${String(claim.triggerIndex)}`,
    );
  }
  return {
    triggerIndex: claim.triggerIndex,
    scheduledFor: isoParam(claim.scheduledFor, "createRun: slot.scheduledFor"),
  };
}

/** The columns of a step record. */
export function stepParams(runId: string, step: StepRecord): StepUpsertParams {
  const field = (name: string) => `saveStep ${step.id}: ${name}`;
  if (!STEP_STATUSES.includes(step.status)) {
    throw new Error(
      `${field("status")} must be one of ${STEP_STATUSES.join(", ")}, got ${String(step.status)}`,
    );
  }
  if (!Number.isInteger(step.attempts) || step.attempts < 0) {
    throw new Error(`${field("attempts")} must be an integer >= 0, got ${String(step.attempts)}`);
  }
  return {
    run_id: requireText(runId, "saveStep: runId"),
    step_id: requireText(step.id, "saveStep: id"),
    name: step.name ?? null,
    type: requireText(step.type, field("type")),
    status: step.status,
    attempts: step.attempts,
    started_at: optionalTime(step.startedAt, field("startedAt")),
    completed_at: optionalTime(step.completedAt, field("completedAt")),
    output: toJson(step.output, field("output")),
    error: toJson(step.error, field("error")),
  };
}

/** The columns of log lines. */
export function logParams(lines: LogLine[]): LogInsert[] {
  return lines.map((line, index) => {
    const field = (name: string) => `appendLogs: lines[${index}].${name}`;
    if (!LOG_STREAMS.includes(line.stream)) {
      throw new Error(
        `${field("stream")} must be one of ${LOG_STREAMS.join(", ")}, got ${String(line.stream)}`,
      );
    }
    if (typeof line.line !== "string") throw new Error(`${field("line")} must be a string`);
    return { ts: isoParam(line.ts, field("ts")), step_id: line.stepId, stream: line.stream, line: line.line };
  });
}

/** The columns of a run's final state; errors name fields after `field`. */
export function finishParams(runId: string, finish: RunFinish, field = "finishRun") {
  if (!FINISH_STATUSES.includes(finish.status)) {
    throw new Error(
      `${field}: status must be one of ${FINISH_STATUSES.join(", ")}, got ${String(finish.status)}`,
    );
  }
  return {
    id: runId,
    status: finish.status,
    output: toJson(finish.output, `${field}: output`),
    error: toJson(finish.error, `${field}: error`),
    completed_at: isoParam(finish.completedAt, `${field}: completedAt`),
  };
}

/** Checks a non-negative integer argument. */
export function requireCount(value: number, field: string, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`${field}: must be an integer >= ${minimum}, got ${String(value)}`);
  }
  return value;
}
