import type { Database, Statement } from "bun:sqlite";
import type { CommitStats } from "../core/store.ts";

interface Job {
  operation: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A batch at least this large means many writers at once: the next flush waits one more turn. */
const BUSY_BATCH = 8;

/**
 * Runs write operations in transactions and settles each caller's promise only after its
 * transaction has committed (DESIGN §1.1).
 *
 * Grouped (the default): operations queue up and are flushed together on the next macrotask in
 * ONE transaction, so one fsync covers every write that arrived meanwhile. After a busy batch
 * (BUSY_BATCH or more) the flush waits one more macrotask; see scheduleFlush. An operation that
 * throws is rolled back and rejected alone, the others still commit: the batch then runs again
 * with a SAVEPOINT per operation (see runOptimistically).
 * Not grouped: each operation commits in its own transaction at once.
 */
export class CommitQueue {
  private pending: Job[] = [];
  private scheduled: ReturnType<typeof setImmediate> | null = null;
  private lastBatchSize = 0;
  private readonly counts: CommitStats = { commits: 0, writes: 0 };
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;
  private readonly savepoint: Statement;
  private readonly release: Statement;
  private readonly rollbackToSavepoint: Statement;

  constructor(
    private readonly db: Database,
    private readonly grouped: boolean,
  ) {
    // IMMEDIATE takes the write lock up front: a deferred transaction that reads first could
    // fail with SQLITE_BUSY_SNAPSHOT when another process wrote meanwhile.
    this.begin = db.prepare("BEGIN IMMEDIATE");
    this.commit = db.prepare("COMMIT");
    this.rollback = db.prepare("ROLLBACK");
    this.savepoint = db.prepare("SAVEPOINT operation");
    this.release = db.prepare("RELEASE operation");
    this.rollbackToSavepoint = db.prepare("ROLLBACK TO operation");
  }

  /** Runs `operation` (synchronous SQL) in a transaction; resolves with its result once committed. */
  run<T>(operation: () => T): Promise<T> {
    if (!this.grouped) return this.runAlone(operation);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ operation, resolve: resolve as (value: unknown) => void, reject });
      this.scheduled ??= this.scheduleFlush();
    });
  }

  /**
   * Under load, callers fall into waves: the requests answered by one commit send their next ones
   * while the rest are processed, and each wave would pay a commit and an fsync of its own. One more
   * turn of the event loop lets the server read the sockets again, so the waves share one commit
   * (like PostgreSQL's commit_delay, which also applies only when other transactions are active).
   * After a small batch the flush is not delayed, so a lone write is committed at once.
   */
  private scheduleFlush(): ReturnType<typeof setImmediate> {
    if (this.lastBatchSize < BUSY_BATCH) return setImmediate(() => this.flush());
    return setImmediate(() => {
      this.scheduled = setImmediate(() => this.flush());
    });
  }

  /** Transactions committed so far that held at least one write, and those writes. */
  get stats(): CommitStats {
    return { ...this.counts };
  }

  /** Commits everything queued now, synchronously. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.lastBatchSize = batch.length;
    this.commitBatch(batch);
  }

  private runAlone<T>(operation: () => T): Promise<T> {
    try {
      this.begin.run();
      const value = operation();
      this.commit.run();
      this.counted(1);
      return Promise.resolve(value);
    } catch (error) {
      this.rollbackIfOpen();
      return Promise.reject(error);
    }
  }

  private commitBatch(batch: Job[]): void {
    let outcomes: Outcome[];
    try {
      outcomes = this.runOptimistically(batch) ?? this.runIsolated(batch);
    } catch (error) {
      // The transaction itself failed (disk full, I/O error, lock timeout): nothing committed.
      this.rollbackIfOpen();
      for (const job of batch) job.reject(error);
      return;
    }
    this.counted(outcomes.filter((outcome) => outcome.ok).length);
    batch.forEach((job, index) => {
      const outcome = outcomes[index] as Outcome;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }

  private counted(writes: number): void {
    if (writes === 0) return;
    this.counts.commits++;
    this.counts.writes += writes;
  }

  /**
   * The batch in one transaction without savepoints, which cost two statements per operation.
   * When an operation throws, everything is rolled back and null returned, so the batch runs again
   * isolated: operations are plain SQL closures, so running them again after a rollback is safe.
   */
  private runOptimistically(batch: Job[]): Outcome[] | null {
    this.begin.run();
    const outcomes: Outcome[] = [];
    for (const job of batch) {
      try {
        outcomes.push({ ok: true, value: job.operation() });
      } catch (error) {
        this.rollback.run();
        return batch.length === 1 ? [{ ok: false, error }] : null;
      }
    }
    this.commit.run();
    return outcomes;
  }

  /** The batch with one savepoint per operation: one that throws is rolled back alone. */
  private runIsolated(batch: Job[]): Outcome[] {
    this.begin.run();
    const outcomes = batch.map((job) => this.runInSavepoint(job.operation));
    this.commit.run();
    return outcomes;
  }

  private runInSavepoint(operation: () => unknown): Outcome {
    this.savepoint.run();
    try {
      const value = operation();
      this.release.run();
      return { ok: true, value };
    } catch (error) {
      this.rollbackToSavepoint.run();
      this.release.run();
      return { ok: false, error };
    }
  }

  private rollbackIfOpen(): void {
    if (this.db.inTransaction) this.rollback.run();
  }
}
