import type { Database } from "bun:sqlite";
import {
  type LogRow,
  RUN_COLUMNS,
  type RunRow,
  STEP_COLUMNS,
  type StepRow,
  type VersionRow,
} from "./codec.ts";

/** The columns of a new run, ready to bind. */
export type RunInsertParams = Omit<RunRow, "seq"> & {
  lease_owner: string | null;
  lease_until: string | null;
};

/** The columns of a step record, ready to bind (the status checked by stepParams, not by type). */
export type StepUpsertParams = Omit<StepRow, "status"> & { status: string };

type IdempotencyRow = { request_hash: string; run_id: string; expires_at: string };
type ClaimRow = { status: string; lease_owner: string | null; lease_until: string | null };
type StatsRow = {
  total: number;
  completed: number | null;
  failed: number | null;
  last_created: string | null;
};

const FINISHED = "('completed', 'failed', 'cancelled')";

/**
 * Deletes finished runs completed before $before. `+status` keeps the planner off
 * runs_status_seq, which would visit every finished run: a run completed before $before was
 * created before it, so runs_created_at finds the candidates.
 */
export const PRUNE_RUNS_SQL = `DELETE FROM runs WHERE +status IN ${FINISHED} AND created_at < $before AND completed_at < $before`;

/** Prepares, once per open database, every fixed statement the store runs. */
export function prepareStatements(db: Database) {
  return {
    insertVersion: db.prepare<never, VersionRow>(
      `INSERT INTO workflow_versions (workflow_id, version_id, version, definition, source, first_seen_at)
       VALUES ($workflow_id, $version_id, $version, $definition, $source, $first_seen_at)`,
    ),
    getVersion: db.prepare<VersionRow, { workflow_id: string; version_id: string }>(
      "SELECT * FROM workflow_versions WHERE workflow_id = $workflow_id AND version_id = $version_id",
    ),
    lastVersionNumber: db.prepare<{ last: number | null }, { workflow_id: string }>(
      "SELECT MAX(version) AS last FROM workflow_versions WHERE workflow_id = $workflow_id",
    ),
    listVersions: db.prepare<VersionRow, { workflow_id: string }>(
      "SELECT * FROM workflow_versions WHERE workflow_id = $workflow_id ORDER BY version",
    ),

    insertRun: db.prepare<never, RunInsertParams>(
      `INSERT INTO runs (id, workflow_id, workflow_version, version_id, status, input, output, error, trigger,
         idempotency_key, connection_id, entity_type, entity_id, webhook_url, created_at, started_at,
         completed_at, lease_owner, lease_until, steps)
       VALUES ($id, $workflow_id, $workflow_version, $version_id, $status, $input, $output, $error, $trigger,
         $idempotency_key, $connection_id, $entity_type, $entity_id, $webhook_url, $created_at, $started_at,
         $completed_at, $lease_owner, $lease_until, $steps)`,
    ),
    getRun: db.prepare<RunRow, { id: string }>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $id`),
    runsByStatus: db.prepare<RunRow, { statuses: string; limit: number }>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE status IN (SELECT value FROM json_each($statuses))
       ORDER BY seq LIMIT $limit`,
    ),
    countByStatus: db.prepare<{ count: number }, { status: string }>(
      "SELECT COUNT(*) AS count FROM runs WHERE status = $status",
    ),
    workflowStats: db.prepare<StatsRow, { workflow_id: string }>(
      `SELECT COUNT(*) AS total, SUM(status = 'completed') AS completed, SUM(status = 'failed') AS failed,
         MAX(created_at) AS last_created
       FROM runs WHERE workflow_id = $workflow_id`,
    ),

    getIdempotencyKey: db.prepare<IdempotencyRow, { workflow_id: string; key: string }>(
      "SELECT request_hash, run_id, expires_at FROM idempotency_keys WHERE workflow_id = $workflow_id AND key = $key",
    ),
    upsertIdempotencyKey: db.prepare<
      never,
      { workflow_id: string; key: string; request_hash: string; run_id: string; expires_at: string }
    >(
      `INSERT INTO idempotency_keys (workflow_id, key, request_hash, run_id, expires_at)
       VALUES ($workflow_id, $key, $request_hash, $run_id, $expires_at)
       ON CONFLICT (workflow_id, key) DO UPDATE
         SET request_hash = excluded.request_hash, run_id = excluded.run_id, expires_at = excluded.expires_at`,
    ),
    pruneIdempotency: db.prepare<never, { now: string }>(
      "DELETE FROM idempotency_keys WHERE expires_at <= $now",
    ),

    slotExists: db.prepare<
      { found: number },
      { workflow_id: string; trigger_index: number; scheduled_for: string }
    >(
      `SELECT 1 AS found FROM schedule_slots
       WHERE workflow_id = $workflow_id AND trigger_index = $trigger_index AND scheduled_for = $scheduled_for`,
    ),
    insertSlot: db.prepare<
      never,
      { workflow_id: string; trigger_index: number; scheduled_for: string; run_id: string }
    >(
      `INSERT INTO schedule_slots (workflow_id, trigger_index, scheduled_for, run_id)
       VALUES ($workflow_id, $trigger_index, $scheduled_for, $run_id)`,
    ),

    lastSlot: db.prepare<{ last: string | null }, { workflow_id: string; trigger_index: number }>(
      `SELECT MAX(scheduled_for) AS last FROM schedule_slots
       WHERE workflow_id = $workflow_id AND trigger_index = $trigger_index`,
    ),

    getClaim: db.prepare<ClaimRow, { id: string }>(
      "SELECT status, lease_owner, lease_until FROM runs WHERE id = $id",
    ),
    // The common claim in one statement: a pending run, or a running one whose lease has lapsed.
    claimFree: db.prepare<
      never,
      { id: string; owner: string; lease_until: string; started_at: string; now: string }
    >(
      `UPDATE runs SET status = 'running', lease_owner = $owner, lease_until = $lease_until,
         started_at = COALESCE(started_at, $started_at)
       WHERE id = $id AND (status = 'pending' OR (status = 'running' AND (lease_until IS NULL OR lease_until < $now)))`,
    ),
    claim: db.prepare<never, { id: string; owner: string; lease_until: string; started_at: string }>(
      `UPDATE runs SET status = 'running', lease_owner = $owner, lease_until = $lease_until,
         started_at = COALESCE(started_at, $started_at)
       WHERE id = $id`,
    ),
    renewLeases: db.prepare<never, { owner: string; lease_until: string }>(
      "UPDATE runs SET lease_until = $lease_until WHERE lease_owner = $owner AND status = 'running'",
    ),
    listLeases: db.prepare<{ id: string; lease_owner: string | null; lease_until: string | null }, []>(
      "SELECT id, lease_owner, lease_until FROM runs WHERE status = 'running' ORDER BY seq",
    ),
    // RETURNING tells the outbox whether the run has its own webhookUrl without another read.
    finishRun: db.prepare<
      { webhook_url: string | null },
      { id: string; status: string; output: string | null; error: string | null; completed_at: string }
    >(
      `UPDATE runs SET status = $status, output = $output, error = $error, completed_at = $completed_at,
         lease_owner = NULL, lease_until = NULL
       WHERE id = $id AND status NOT IN ${FINISHED}
       RETURNING webhook_url`,
    ),
    pruneRuns: db.prepare<never, { before: string }>(PRUNE_RUNS_SQL),

    // A step keeps the position it got when first saved: the order steps started in. Steps are
    // never deleted but with their run, so positions are 0..n-1 and COUNT(*) is the next one
    // (cheaper than MAX(position), which measured 4x slower per save).
    upsertStep: db.prepare<never, StepUpsertParams>(
      `INSERT INTO run_steps (run_id, step_id, position, name, type, status, attempts, started_at, completed_at,
         output, error)
       VALUES ($run_id, $step_id, (SELECT COUNT(*) FROM run_steps WHERE run_id = $run_id),
         $name, $type, $status, $attempts, $started_at, $completed_at, $output, $error)
       ON CONFLICT (run_id, step_id) DO UPDATE SET name = excluded.name, type = excluded.type,
         status = excluded.status, attempts = excluded.attempts, started_at = excluded.started_at,
         completed_at = excluded.completed_at, output = excluded.output, error = excluded.error`,
    ),
    // Sorted by position in JS: ORDER BY here measured 5x slower than the primary-key scan.
    stepsOfRun: db.prepare<StepRow & { position: number }, { run_id: string }>(
      `SELECT ${STEP_COLUMNS}, position FROM run_steps WHERE run_id = $run_id`,
    ),
    stepsOfRuns: db.prepare<StepRow, { run_ids: string }>(
      `SELECT ${STEP_COLUMNS} FROM run_steps WHERE run_id IN (SELECT value FROM json_each($run_ids))
       ORDER BY run_id, position`,
    ),

    lastLogSeq: db.prepare<{ last: number }, { run_id: string }>(
      "SELECT COALESCE(MAX(seq), 0) AS last FROM run_logs WHERE run_id = $run_id",
    ),
    insertLog: db.prepare<
      never,
      { run_id: string; seq: number; ts: string; step_id: string | null; stream: string; line: string }
    >(
      `INSERT INTO run_logs (run_id, seq, ts, step_id, stream, line)
       VALUES ($run_id, $seq, $ts, $step_id, $stream, $line)`,
    ),
    logsAfter: db.prepare<LogRow, { run_id: string; after: number; limit: number }>(
      `SELECT seq, ts, step_id, stream, line FROM run_logs WHERE run_id = $run_id AND seq > $after
       ORDER BY seq LIMIT $limit`,
    ),

    walCheckpoint: db.prepare("PRAGMA wal_checkpoint(TRUNCATE)"),
  };
}

/** The prepared statements of one open database. */
export type Statements = ReturnType<typeof prepareStatements>;
