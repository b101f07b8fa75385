import type { LogLine, Run, RunError, RunStatus, StepRecord } from "./run.ts";
import type { WorkflowVersion } from "./workflow.ts";

/** A version as stored: numbered per workflow in the order first seen. */
export interface StoredVersion extends WorkflowVersion {
  /** 1, 2, 3... per workflow. */
  version: number;
  firstSeenAt: string;
}

/** A workflow file (path relative to the workflows dir, with `/`) whose content a validator passed. */
export interface CheckedFileRecord {
  file: string;
  workflowId: string;
  /** The version of that content (`sha256:` of its bytes); it must be stored. */
  versionId: string;
}

/** A checked file with its stored version. */
export interface CheckedFile {
  file: string;
  version: StoredVersion;
}

/** A claim on a run: who executes it, until when the claim holds unless renewed, and its start. */
export interface RunLease {
  owner: string;
  /** ISO time. */
  leaseUntil: string;
  /** ISO time. */
  startedAt: string;
}

/** The fields of a run known when it is accepted. */
export type NewRun = Pick<
  Run,
  | "id"
  | "workflowId"
  | "workflowVersion"
  | "versionId"
  | "input"
  | "trigger"
  | "idempotencyKey"
  | "connectionId"
  | "entityType"
  | "entityId"
  | "webhookUrl"
  | "createdAt"
>;

/** An idempotency claim made in the same transaction as the run. */
export interface IdempotencyClaim {
  key: string;
  /** Hash of the canonical JSON of the request's input (and other run fields). */
  requestHash: string;
  expiresAt: string;
}

/** What createRun claims or records with the run, in the same transaction. */
export interface RunCreationClaims {
  idempotency?: IdempotencyClaim;
  slot?: ScheduleSlotClaim;
  lease?: RunLease;
  executed?: ExecutedRun;
}

/** A cron slot claim made in the same transaction as the run (DESIGN §1.4). */
export interface ScheduleSlotClaim {
  triggerIndex: number;
  scheduledFor: string;
}

/**
 * A run executed before it was stored (every step pure, RunExecutor.isPure): it is stored
 * finished, with its steps and log lines, in the transaction that creates it.
 */
export interface ExecutedRun {
  /** ISO time. */
  startedAt: string;
  /** In the order the steps were first recorded. */
  steps: StepRecord[];
  logs: LogLine[];
  finish: RunFinish;
  /** Put the run's events (DESIGN §8) in the outbox, as finishRun does. */
  notify: boolean;
}

export type CreateRunResult =
  | { outcome: "created"; run: Run }
  /** The idempotency key exists with the same request: the existing run. */
  | { outcome: "replayed"; run: Run }
  /** The idempotency key exists with a different request. */
  | { outcome: "conflict"; run: Run }
  /** The schedule slot was already claimed. */
  | { outcome: "slot-taken" };

export interface RunListFilter {
  workflowId?: string;
  status?: RunStatus;
  /** createdAt >= from (ISO). */
  from?: string;
  /** createdAt < to (ISO). */
  to?: string;
  limit: number;
  /** Opaque cursor from a previous page: runs older than it, newest first. */
  cursor?: string;
}

export interface RunPage {
  runs: Run[];
  nextCursor: string | null;
}

export interface WorkflowStats {
  totalRuns: number;
  successCount: number;
  failureCount: number;
  lastRunAt: string | null;
}

export interface RunFinish {
  status: Extract<RunStatus, "completed" | "failed" | "cancelled">;
  output: unknown;
  error: RunError | null;
  completedAt: string;
}

/**
 * Durable storage of workflow versions, runs, steps and logs. Async so that another database
 * can stand behind it; every method resolves only after its change is committed, and writes
 * take effect in the order they were called (the run service relies on it to queue a step's
 * start without awaiting it before its result).
 */
export interface RunStore {
  /** Records a version if its versionId is new for the workflow; returns its stored form. */
  saveVersion(version: WorkflowVersion, seenAt: string): Promise<StoredVersion>;
  getVersion(workflowId: string, versionId: string): Promise<StoredVersion | null>;
  listVersions(workflowId: string): Promise<StoredVersion[]>;
  /**
   * The files whose last valid content `validator` passed, each with the stored version of that
   * content: a restart takes them instead of validating unchanged files again.
   */
  checkedFiles(validator: string): Promise<CheckedFile[]>;
  /** Records that `validator` passed the content of `files` (replacing older records) and forgets `forget`. */
  recordCheckedFiles(validator: string, files: CheckedFileRecord[], forget: string[]): Promise<void>;

  /**
   * Creates a run (status pending), atomically with its idempotency or schedule slot claim. With
   * `lease`, the run is stored as running under that lease instead: claimed in its own insert, for
   * a run its creator starts at once. The result's run is the pending run either way. With
   * `executed`, the run is stored finished with its steps and logs, and the result's run is
   * the finished run.
   */
  createRun(run: NewRun, claims?: RunCreationClaims): Promise<CreateRunResult>;
  getRun(id: string): Promise<Run | null>;
  /** The run an unexpired idempotency key of `workflowId` claimed, with its request's hash; null when none. */
  findIdempotentRun(workflowId: string, key: string): Promise<{ requestHash: string; run: Run } | null>;
  listRuns(filter: RunListFilter): Promise<RunPage>;
  /**
   * The newest claimed slot time (ISO) of a schedule trigger, or null when none was ever claimed;
   * the scheduler's "last state" for `catchUp: latest`. Slots outlive pruned runs.
   */
  lastScheduledSlot(workflowId: string, triggerIndex: number): Promise<string | null>;
  /** Runs in the given statuses, oldest first (recovery and dispatch). */
  listRunsByStatus(statuses: RunStatus[], limit?: number): Promise<Run[]>;
  countRunsByStatus(status: RunStatus): Promise<number>;
  workflowStats(workflowId: string): Promise<WorkflowStats>;

  /**
   * Moves a pending run to running, or takes over a running run whose lease is expired or
   * held by `takeoverFrom`. Returns false when another owner holds it or it is finished.
   */
  claimRun(
    id: string,
    owner: string,
    leaseUntil: string,
    startedAt: string,
    takeoverFrom?: (owner: string) => boolean,
  ): Promise<boolean>;
  /** Extends the lease of every run this owner holds. */
  renewLeases(owner: string, leaseUntil: string): Promise<void>;
  /** Owners of running runs, for recovery decisions. */
  listLeases(): Promise<{ runId: string; owner: string | null; leaseUntil: string | null }[]>;

  saveStep(runId: string, step: StepRecord): Promise<void>;
  appendLogs(runId: string, lines: LogLine[]): Promise<void>;
  /** Log lines after the cursor (a line number), up to `limit`. */
  getLogs(runId: string, after: number, limit: number): Promise<{ lines: (LogLine & { seq: number })[] }>;
  /**
   * Sets the final state of a run; a run already finished is left as it is (returns false). With
   * `notify`, the run's events (DESIGN §8) go into the outbox in the same transaction.
   */
  finishRun(runId: string, finish: RunFinish, options?: { notify?: boolean }): Promise<boolean>;

  /** Deletes finished runs completed before `before`, with their steps and logs; returns how many. */
  pruneRuns(before: string): Promise<number>;
  /** Deletes idempotency keys that expired before `now`. */
  pruneIdempotency(now: string): Promise<number>;
  checkpoint(): Promise<void>;
  /** How writes were grouped since the store opened (group commit), for /metrics and benchmarks. */
  commitStats(): CommitStats;
  close(): Promise<void>;
}

/** Transactions that stored something, and the writes they held. */
export interface CommitStats {
  commits: number;
  writes: number;
}
