import type { Database } from "bun:sqlite";
import { messageOf } from "../lib/message.ts";

/** One schema change. Versions start at 1 and have no gaps; `PRAGMA user_version` holds the last applied. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const STATUS_CHECK = "status IN ('pending', 'running', 'completed', 'failed', 'cancelled')";
const STEP_STATUS_CHECK = "status IN ('pending', 'running', 'completed', 'failed', 'skipped', 'cancelled')";

/**
 * The schema, in order. Never edit a migration that has shipped: add a new one.
 * Timestamps are ISO 8601 UTC text with milliseconds, so they compare correctly as strings.
 * JSON columns hold JSON.stringify output; SQL NULL stands for JSON null.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "runs, steps, logs, versions, idempotency keys and schedule slots",
    sql: `
      CREATE TABLE workflow_versions (
        workflow_id TEXT NOT NULL,
        version_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        source TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        PRIMARY KEY (workflow_id, version_id),
        UNIQUE (workflow_id, version)
      );

      -- seq gives the commit order: listing pages by it cannot miss a run inserted meanwhile.
      CREATE TABLE runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        workflow_id TEXT NOT NULL,
        workflow_version INTEGER NOT NULL,
        version_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (${STATUS_CHECK}),
        input TEXT,
        output TEXT,
        error TEXT,
        trigger TEXT NOT NULL,
        idempotency_key TEXT,
        connection_id TEXT,
        entity_type TEXT,
        entity_id TEXT,
        webhook_url TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        completed_at TEXT,
        lease_owner TEXT,
        lease_until TEXT
      );
      CREATE INDEX runs_status_seq ON runs (status, seq);
      CREATE INDEX runs_workflow_seq ON runs (workflow_id, seq);
      CREATE INDEX runs_created_at ON runs (created_at);
      CREATE INDEX runs_completed_at ON runs (completed_at) WHERE completed_at IS NOT NULL;

      CREATE TABLE run_steps (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        name TEXT,
        type TEXT NOT NULL,
        status TEXT NOT NULL CHECK (${STEP_STATUS_CHECK}),
        attempts INTEGER NOT NULL,
        started_at TEXT,
        completed_at TEXT,
        output TEXT,
        error TEXT,
        PRIMARY KEY (run_id, step_id)
      );

      CREATE TABLE run_logs (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        ts TEXT NOT NULL,
        step_id TEXT,
        stream TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
        line TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE idempotency_keys (
        workflow_id TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (workflow_id, key)
      );
      CREATE INDEX idempotency_keys_run ON idempotency_keys (run_id);
      CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

      -- A slot outlives its run (SET NULL): pruning old runs must not let a slot fire again.
      CREATE TABLE schedule_slots (
        workflow_id TEXT NOT NULL,
        trigger_index INTEGER NOT NULL,
        scheduled_for TEXT NOT NULL,
        run_id TEXT REFERENCES runs (id) ON DELETE SET NULL,
        PRIMARY KEY (workflow_id, trigger_index, scheduled_for)
      );
      CREATE INDEX schedule_slots_run ON schedule_slots (run_id);
    `,
  },
  {
    version: 2,
    name: "webhook subscriptions, events and the delivery outbox",
    sql: `
      CREATE TABLE webhook_subscriptions (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        secret TEXT NOT NULL,
        description TEXT,
        source TEXT NOT NULL CHECK (source IN ('config', 'api')),
        created_at TEXT NOT NULL
      );

      -- The exact body sent, so every attempt (and every receiver) gets the same bytes.
      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        created_at TEXT NOT NULL,
        payload TEXT NOT NULL
      );

      -- subscription_id NULL: a run's own webhookUrl, signed with the daemon's run secret.
      CREATE TABLE webhook_deliveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        subscription_id TEXT REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        next_attempt_at TEXT,
        completed_at TEXT
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, seq);
      CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

      CREATE TABLE delivery_attempts (
        delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        attempted_at TEXT NOT NULL,
        status_code INTEGER,
        error TEXT,
        duration_ms INTEGER NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: "workflow files already checked, so a restart skips re-validating unchanged ones",
    sql: `
      -- The last valid content of each workflow file (path relative to the workflows dir) and the
      -- validator that passed it. No foreign key: readers join workflow_versions and skip a row
      -- whose version is not stored.
      CREATE TABLE workflow_file_checks (
        file TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        version_id TEXT NOT NULL,
        validator TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: "leaner run writes: steps keyed by (run, step) alone, no completed_at index",
    sql: `
      -- Without a rowid the primary key is the table: one B-tree write per step instead of two.
      CREATE TABLE run_steps_keyed (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        name TEXT,
        type TEXT NOT NULL,
        status TEXT NOT NULL CHECK (${STEP_STATUS_CHECK}),
        attempts INTEGER NOT NULL,
        started_at TEXT,
        completed_at TEXT,
        output TEXT,
        error TEXT,
        PRIMARY KEY (run_id, step_id)
      ) WITHOUT ROWID;
      INSERT INTO run_steps_keyed
        SELECT run_id, step_id, position, name, type, status, attempts, started_at, completed_at, output, error
        FROM run_steps;
      DROP TABLE run_steps;
      ALTER TABLE run_steps_keyed RENAME TO run_steps;
      -- Pruning finds old runs through runs_created_at: a run completed before a time was created before it.
      DROP INDEX runs_completed_at;
    `,
  },
  {
    version: 5,
    name: "steps of a run stored finished kept in its row",
    sql: `
      -- A run executed before it is stored never changes again: its steps, as one JSON array,
      -- go in its own row instead of one run_steps row each. NULL for every other run.
      ALTER TABLE runs ADD COLUMN steps TEXT;
    `,
  },
];

function schemaVersion(db: Database): number {
  const row = db.query<{ user_version: number }, []>("PRAGMA user_version").get();
  return row?.user_version ?? 0;
}

/**
 * Brings the schema up to the newest migration, each missing one in its own transaction so a
 * failing migration leaves the database at the previous version. Throws when the database has a
 * newer schema than `migrations` knows (written by a newer wfd).
 */
export function applyMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const newest = migrations.at(-1)?.version ?? 0;
  const initial = schemaVersion(db);
  if (initial > newest) throw newerSchemaError(initial, newest);
  for (const migration of migrations) {
    if (migration.version <= initial) continue;
    const applyIfMissing = db.transaction(() => {
      // Read again inside the write transaction: another process may have migrated meanwhile.
      if (schemaVersion(db) >= migration.version) return;
      try {
        db.run(migration.sql);
      } catch (error) {
        throw new Error(`migration ${migration.version} (${migration.name}) failed: ${messageOf(error)}`);
      }
      db.run(`PRAGMA user_version = ${migration.version}`);
    });
    applyIfMissing.immediate();
  }
}

function newerSchemaError(current: number, newest: number): Error {
  return new Error(
    `its schema version ${current} is newer than the newest this wfd knows (${newest}); upgrade wfd`,
  );
}
