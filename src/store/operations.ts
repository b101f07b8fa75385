import type { Run, StepRecord } from "../core/run.ts";
import type { CreateRunResult, IdempotencyClaim, ScheduleSlotClaim, StoredVersion } from "../core/store.ts";
import {
  type RunRow,
  runFromRow,
  sqliteCode,
  stepFromRow,
  type VersionRow,
  versionFromRow,
} from "./codec.ts";
import type { RunInsertParams, Statements, StepUpsertParams } from "./statements.ts";

// Synchronous building blocks of the store. The write operations run inside a transaction
// opened by the CommitQueue; the reads run anywhere.

/** Loads one run with its steps. */
export function loadRun(s: Statements, id: string): Run | null {
  const row = s.getRun.get({ id });
  if (!row) return null;
  if (row.steps !== null) return runFromRow(row, []);
  const steps = s.stepsOfRun.all({ run_id: id }).sort((a, b) => a.position - b.position);
  return runFromRow(row, steps.map(stepFromRow));
}

/** Builds runs from rows, loading the step rows of all of them in one query (runs stored finished carry theirs). */
export function loadRuns(s: Statements, rows: RunRow[]): Run[] {
  const withStepRows = rows.filter((row) => row.steps === null).map((row) => row.id);
  if (withStepRows.length === 0) return rows.map((row) => runFromRow(row, []));
  const stepsByRun = new Map<string, StepRecord[]>();
  for (const stepRow of s.stepsOfRuns.all({ run_ids: JSON.stringify(withStepRows) })) {
    const steps = stepsByRun.get(stepRow.run_id) ?? [];
    steps.push(stepFromRow(stepRow));
    stepsByRun.set(stepRow.run_id, steps);
  }
  return rows.map((row) => runFromRow(row, stepsByRun.get(row.id) ?? []));
}

/** The run and claims of a createRun call, validated and serialised. */
export interface RunCreation {
  run: RunInsertParams;
  idempotency?: IdempotencyClaim;
  slot?: ScheduleSlotClaim;
  /** A run executed before it is stored (its steps are in `run.steps`): its log lines. */
  executed?: { logs: LogInsert[] };
  /** The store clock's time: idempotency keys expiring at or before it are replaced. */
  now: string;
}

/**
 * Inserts a run with its claims. Lookups happen before any write, so an answer other than
 * `created` leaves the database unchanged.
 */
export function createRunWithClaims(s: Statements, creation: RunCreation): CreateRunResult {
  const { run, idempotency, slot, executed } = creation;
  if (idempotency) {
    const existing = s.getIdempotencyKey.get({ workflow_id: run.workflow_id, key: idempotency.key });
    if (existing && existing.expires_at > creation.now) {
      const existingRun = loadRun(s, existing.run_id);
      // The foreign key deletes a key with its run, so the run is there.
      if (!existingRun) throw new Error(`idempotency key ${idempotency.key} points to a missing run`);
      const outcome = existing.request_hash === idempotency.requestHash ? "replayed" : "conflict";
      return { outcome, run: existingRun };
    }
  }
  const slotKey = slot && {
    workflow_id: run.workflow_id,
    trigger_index: slot.triggerIndex,
    scheduled_for: slot.scheduledFor,
  };
  if (slotKey && s.slotExists.get(slotKey)) return { outcome: "slot-taken" };

  insertRun(s, run);
  if (executed?.logs.length) appendLogLines(s, run.id, executed.logs);
  if (slotKey) s.insertSlot.run({ ...slotKey, run_id: run.id });
  if (idempotency) {
    s.upsertIdempotencyKey.run({
      workflow_id: run.workflow_id,
      key: idempotency.key,
      request_hash: idempotency.requestHash,
      run_id: run.id,
      expires_at: idempotency.expiresAt,
    });
  }
  return { outcome: "created", run: newRunObject(run) };
}

function insertRun(s: Statements, run: RunInsertParams): void {
  try {
    s.insertRun.run(run);
  } catch (error) {
    if (sqliteCode(error) === "SQLITE_CONSTRAINT_UNIQUE") {
      throw new Error(`createRun: a run with id ${run.id} already exists`);
    }
    throw error;
  }
}

/**
 * The new run as getRun will return it (values parsed back from the stored text): finished when
 * it was executed before being stored (its steps inline), otherwise pending, even when leased.
 */
function newRunObject(run: RunInsertParams): Run {
  if (run.steps !== null) return runFromRow(run, []);
  return runFromRow({ ...run, status: "pending", started_at: null }, []);
}

/** The arguments of a claimRun call, timestamps normalised. */
export interface RunClaim {
  id: string;
  owner: string;
  leaseUntil: string;
  startedAt: string;
  now: string;
  takeoverFrom?: (owner: string) => boolean;
}

/** Moves a pending run to running, or takes over a running one whose lease lapsed or may be taken. */
export function claimRunLease(s: Statements, claim: RunClaim): boolean {
  const lease = {
    id: claim.id,
    owner: claim.owner,
    lease_until: claim.leaseUntil,
    started_at: claim.startedAt,
  };
  if (s.claimFree.run({ ...lease, now: claim.now }).changes > 0) return true;
  // Held by a live lease, finished or missing: only a takeover of a gone owner is left.
  const current = s.getClaim.get({ id: claim.id });
  if (!current) return false;
  if (current.status === "running") {
    // A running run without a lease was left by a crash between claim and lease: free to take.
    const expired = current.lease_until === null || current.lease_until < claim.now;
    const releasable = current.lease_owner !== null && (claim.takeoverFrom?.(current.lease_owner) ?? false);
    if (!expired && !releasable) return false;
  } else if (current.status !== "pending") {
    return false;
  }
  s.claim.run(lease);
  return true;
}

/** Inserts or updates a step record; a new step goes after the steps already saved. */
export function upsertStep(s: Statements, step: StepUpsertParams): void {
  try {
    s.upsertStep.run(step);
  } catch (error) {
    throw unknownRunError(error, "saveStep", step.run_id);
  }
}

/** A log line ready to bind, without its sequence number. */
export type LogInsert = { ts: string; step_id: string | null; stream: string; line: string };

/** Appends lines after the run's last one, numbering them 1, 2, 3... per run. */
export function appendLogLines(s: Statements, runId: string, lines: LogInsert[]): void {
  let seq = s.lastLogSeq.get({ run_id: runId })?.last ?? 0;
  try {
    for (const line of lines) {
      seq += 1;
      s.insertLog.run({ run_id: runId, seq, ...line });
    }
  } catch (error) {
    throw unknownRunError(error, "appendLogs", runId);
  }
}

function unknownRunError(error: unknown, operation: string, runId: string): unknown {
  if (sqliteCode(error) === "SQLITE_CONSTRAINT_FOREIGNKEY") {
    return new Error(`${operation}: run ${runId} does not exist`);
  }
  return error;
}

/** Records a workflow version under the next number unless its versionId is known already. */
export function saveWorkflowVersion(s: Statements, version: Omit<VersionRow, "version">): StoredVersion {
  const existing = s.getVersion.get({ workflow_id: version.workflow_id, version_id: version.version_id });
  if (existing) return versionFromRow(existing);
  const last = s.lastVersionNumber.get({ workflow_id: version.workflow_id })?.last ?? 0;
  const row = { ...version, version: last + 1 };
  s.insertVersion.run(row);
  return versionFromRow(row);
}
