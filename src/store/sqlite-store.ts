import type { Database } from "bun:sqlite";
import {
  isoTime,
  type LogLine,
  RUN_STATUSES,
  type Run,
  type RunStatus,
  type StepRecord,
} from "../core/run.ts";
import type {
  CheckedFile,
  CheckedFileRecord,
  CommitStats,
  CreateRunResult,
  NewRun,
  RunCreationClaims,
  RunFinish,
  RunListFilter,
  RunPage,
  RunStore,
  StoredVersion,
  WorkflowStats,
} from "../core/store.ts";
import type { WorkflowVersion } from "../core/workflow.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { logFromRow, toJson, versionFromRow } from "./codec.ts";
import { CommitQueue } from "./commit-queue.ts";
import { openDatabase, type SynchronousMode } from "./database.ts";
import { prepareEventStatements } from "./event-statements.ts";
import {
  appendLogLines,
  claimRunLease,
  createRunWithClaims,
  loadRun,
  loadRuns,
  saveWorkflowVersion,
  upsertStep,
} from "./operations.ts";
import {
  finishParams,
  idempotencyParams,
  logParams,
  requireCount,
  runInsertParams,
  slotParams,
  stepParams,
} from "./params.ts";
import { RunListQueries } from "./run-list.ts";
import { SqliteEventStore, type StoreAccess } from "./sqlite-events.ts";
import { prepareStatements, type Statements } from "./statements.ts";
import { CoalescedStepSaves } from "./step-saves.ts";
import { isoParam } from "./timestamps.ts";
import { listCheckedFiles, recordCheckedFiles } from "./version-cache.ts";

export interface SqliteStoreOptions {
  /** Path of the database file, or ":memory:". */
  path: string;
  /** SQLite `synchronous`; FULL (default) makes every acknowledged commit survive a power loss. */
  synchronous?: SynchronousMode;
  /** Group concurrent writes into one transaction (default true). */
  groupCommit?: boolean;
  /** Decides lease and idempotency key expiry; default systemClock. */
  clock?: Clock;
}

/**
 * Opens (creating the file and parent dir if needed), applies migrations and prepares statements.
 * Throws a clear Error naming the path and the cause when the directory cannot be created or
 * written, the file is not a SQLite database, or its schema is newer than this binary knows.
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const db = openDatabase(options.path, options.synchronous ?? "FULL");
  return new SqliteStore(db, options);
}

/**
 * The RunStore on bun:sqlite (DESIGN §1, §6). Writes go through a CommitQueue, so every promise
 * resolves after its change is committed; reads run directly on the same connection, so a read
 * issued after a write resolved sees it. Construct it with openSqliteStore.
 *
 * Decisions the contract leaves open:
 * - idempotency keys and leases expire by `options.clock`, read when the operation commits;
 * - claimRun by the holder of a live lease returns false like any other owner (use takeoverFrom);
 * - workflowStats counts `failed` runs as failures; cancelled runs count only in totalRuns;
 * - listRuns pages in commit order (newest first), which equals id order for ULID ids made by one
 *   clock, and cannot repeat or skip a run when others commit between pages;
 * - a schedule slot outlives its pruned run, so it can never fire twice;
 * - a step save joins a save of the same step still queued for the next commit (step-saves.ts).
 */
export class SqliteStore implements RunStore {
  readonly path: string;
  private readonly statements: Statements;
  private readonly queue: CommitQueue;
  private readonly lists: RunListQueries;
  private readonly clock: Clock;
  private readonly access: StoreAccess;
  private readonly stepSaves = new CoalescedStepSaves();
  private closed = false;
  /** Webhook subscriptions and the delivery outbox, on the same connection and commit queue. */
  readonly events: SqliteEventStore;

  constructor(
    private readonly db: Database,
    options: SqliteStoreOptions,
  ) {
    this.path = options.path;
    this.clock = options.clock ?? systemClock;
    this.statements = prepareStatements(db);
    this.queue = new CommitQueue(db, options.groupCommit ?? true);
    this.lists = new RunListQueries(db);
    const eventStatements = prepareEventStatements(db);
    this.access = {
      write: (operation) => this.write(operation),
      read: () => ({ runs: this.reader(), events: eventStatements }),
    };
    this.events = new SqliteEventStore(this.access);
  }

  async saveVersion(version: WorkflowVersion, seenAt: string): Promise<StoredVersion> {
    const row = {
      workflow_id: version.workflowId,
      version_id: version.versionId,
      definition: toJson(version.definition, "saveVersion: definition") ?? "null",
      source: version.source,
      first_seen_at: isoParam(seenAt, "saveVersion: seenAt"),
    };
    return this.write(() => saveWorkflowVersion(this.statements, row));
  }

  async getVersion(workflowId: string, versionId: string): Promise<StoredVersion | null> {
    const row = this.reader().getVersion.get({ workflow_id: workflowId, version_id: versionId });
    return row ? versionFromRow(row) : null;
  }

  async listVersions(workflowId: string): Promise<StoredVersion[]> {
    return this.reader().listVersions.all({ workflow_id: workflowId }).map(versionFromRow);
  }

  async createRun(run: NewRun, claims: RunCreationClaims = {}): Promise<CreateRunResult> {
    const { executed } = claims;
    const params = runInsertParams(run, claims.lease, executed);
    const idempotency = claims.idempotency && idempotencyParams(claims.idempotency);
    const slot = claims.slot && slotParams(claims.slot);
    const records = executed && { logs: logParams(executed.logs) };
    return this.write(() => {
      const creation = {
        run: params,
        now: this.now(),
        ...(idempotency && { idempotency }),
        ...(slot && { slot }),
        ...(records && { executed: records }),
      };
      const result = createRunWithClaims(this.statements, creation);
      if (result.outcome === "created" && executed?.notify) {
        this.events.writeRunOutbox(params.id, executed.finish.status, params.webhook_url);
      }
      return result;
    });
  }

  async getRun(id: string): Promise<Run | null> {
    return loadRun(this.reader(), id);
  }

  async findIdempotentRun(
    workflowId: string,
    key: string,
  ): Promise<{ requestHash: string; run: Run } | null> {
    const statements = this.reader();
    const row = statements.getIdempotencyKey.get({ workflow_id: workflowId, key });
    if (!row || row.expires_at <= this.now()) return null;
    const run = loadRun(statements, row.run_id);
    return run && { requestHash: row.request_hash, run };
  }

  async listRuns(filter: RunListFilter): Promise<RunPage> {
    const statements = this.reader();
    const page = this.lists.page(filter);
    return { runs: loadRuns(statements, page.rows), nextCursor: page.nextCursor };
  }

  async lastScheduledSlot(workflowId: string, triggerIndex: number): Promise<string | null> {
    const row = this.reader().lastSlot.get({ workflow_id: workflowId, trigger_index: triggerIndex });
    return row?.last ?? null;
  }

  async listRunsByStatus(statuses: RunStatus[], limit?: number): Promise<Run[]> {
    for (const status of statuses) {
      if (!RUN_STATUSES.includes(status))
        throw new Error(`listRunsByStatus: unknown status ${String(status)}`);
    }
    const max = limit === undefined ? -1 : requireCount(limit, "listRunsByStatus: limit", 1);
    const statements = this.reader();
    return loadRuns(
      statements,
      statements.runsByStatus.all({ statuses: JSON.stringify(statuses), limit: max }),
    );
  }

  async countRunsByStatus(status: RunStatus): Promise<number> {
    return this.reader().countByStatus.get({ status })?.count ?? 0;
  }

  async workflowStats(workflowId: string): Promise<WorkflowStats> {
    const row = this.reader().workflowStats.get({ workflow_id: workflowId });
    return {
      totalRuns: row?.total ?? 0,
      successCount: row?.completed ?? 0,
      failureCount: row?.failed ?? 0,
      lastRunAt: row?.last_created ?? null,
    };
  }

  async claimRun(
    id: string,
    owner: string,
    leaseUntil: string,
    startedAt: string,
    takeoverFrom?: (owner: string) => boolean,
  ): Promise<boolean> {
    const claim = {
      id,
      owner,
      leaseUntil: isoParam(leaseUntil, "claimRun: leaseUntil"),
      startedAt: isoParam(startedAt, "claimRun: startedAt"),
      ...(takeoverFrom && { takeoverFrom }),
    };
    // Expiry is judged when the claim runs in its transaction, not when it was queued.
    return this.write(() => claimRunLease(this.statements, { ...claim, now: this.now() }));
  }

  async renewLeases(owner: string, leaseUntil: string): Promise<void> {
    const lease_until = isoParam(leaseUntil, "renewLeases: leaseUntil");
    await this.write(() => this.statements.renewLeases.run({ owner, lease_until }));
  }

  async listLeases(): Promise<{ runId: string; owner: string | null; leaseUntil: string | null }[]> {
    return this.reader()
      .listLeases.all()
      .map((row) => ({ runId: row.id, owner: row.lease_owner, leaseUntil: row.lease_until }));
  }

  async saveStep(runId: string, step: StepRecord): Promise<void> {
    await this.stepSaves.save(
      stepParams(runId, step),
      (operation) => this.write(operation),
      (params) => upsertStep(this.statements, params),
    );
  }

  async appendLogs(runId: string, lines: LogLine[]): Promise<void> {
    const params = logParams(lines);
    if (params.length === 0) return;
    await this.write(() => appendLogLines(this.statements, runId, params));
  }

  async getLogs(
    runId: string,
    after: number,
    limit: number,
  ): Promise<{ lines: (LogLine & { seq: number })[] }> {
    const rows = this.reader().logsAfter.all({
      run_id: runId,
      after: requireCount(after, "getLogs: after", 0),
      limit: requireCount(limit, "getLogs: limit", 1),
    });
    return { lines: rows.map(logFromRow) };
  }

  async finishRun(runId: string, finish: RunFinish, options: { notify?: boolean } = {}): Promise<boolean> {
    const params = finishParams(runId, finish);
    return this.write(() => {
      const finished = this.statements.finishRun.get(params);
      if (finished && options.notify) this.events.writeRunOutbox(runId, finish.status, finished.webhook_url);
      return finished !== null;
    });
  }

  async pruneRuns(before: string): Promise<number> {
    const cutoff = isoParam(before, "pruneRuns: before");
    // Steps, logs and idempotency keys go with their run (ON DELETE CASCADE).
    return this.write(() => this.statements.pruneRuns.run({ before: cutoff }).changes);
  }

  async pruneIdempotency(now: string): Promise<number> {
    const cutoff = isoParam(now, "pruneIdempotency: now");
    return this.write(() => this.statements.pruneIdempotency.run({ now: cutoff }).changes);
  }

  async checkpoint(): Promise<void> {
    const statements = this.reader();
    // A checkpoint cannot run inside a transaction: commit what is queued first.
    this.queue.flush();
    statements.walCheckpoint.run();
  }

  commitStats(): CommitStats {
    return this.queue.stats;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.queue.flush();
    this.closed = true;
    this.db.close();
  }

  private write<T>(operation: () => T): Promise<T> {
    return this.closed ? Promise.reject(this.closedError()) : this.queue.run(operation);
  }

  /** The statements, for a read; throws once the store is closed. */
  private reader(): Statements {
    if (this.closed) throw this.closedError();
    return this.statements;
  }

  private closedError(): Error {
    return new Error(`The store ${this.path} is closed`);
  }

  private now(): string {
    return isoTime(this.clock.now());
  }

  async checkedFiles(validator: string): Promise<CheckedFile[]> {
    this.reader();
    return listCheckedFiles(this.db, validator);
  }

  async recordCheckedFiles(validator: string, files: CheckedFileRecord[], forget: string[]): Promise<void> {
    return this.write(() => recordCheckedFiles(this.db, validator, files, forget));
  }
}
