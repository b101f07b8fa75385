import { isoTime } from "../core/run.ts";
import type { RunLease, RunStore } from "../core/store.ts";
import type { Clock } from "../lib/clock.ts";
import { isOwnerGone } from "./owner.ts";
import type { RunQueue } from "./queue.ts";

export interface RunClaimsOptions {
  store: RunStore;
  clock: Clock;
  queue: RunQueue;
  /** Lease owner id of this process. */
  owner: string;
  leaseMs: number;
  /** Runs executing at once, all workflows. */
  concurrency: number;
}

/**
 * Claims runs for this process: moves them to running under a lease. A claim resolves with the
 * startedAt it proposed (kept by the store only if the run had none), or null when another owner
 * holds the run or it is finished.
 */
export class RunClaims {
  /** Claims made by the run's insert, for runs that can start at once: their startedAt. */
  private readonly early = new Map<string, string>();
  private reserved = 0;

  constructor(private readonly options: RunClaimsOptions) {}

  /** Claims a run now, or takes the claim made with its creation. */
  take(runId: string): Promise<string | null> {
    const startedAt = this.early.get(runId);
    this.early.delete(runId);
    return startedAt === undefined ? this.claim(runId) : Promise.resolve(startedAt);
  }

  /** Drops a claim made with a creation (the run was cancelled before it started). */
  forget(runId: string): void {
    this.early.delete(runId);
  }

  /**
   * Creates a run with `create`, claimed in its own insert (`create` gets the lease to store it
   * under) when it can start at once: the run saves a statement and a commit round. Only when a
   * slot is free for it (counting other such creations), so a run waiting in the queue is never
   * shown as running; workflows with their own concurrency limit take the ordinary path.
   */
  async create<T extends { outcome: string }>(
    runId: string,
    workflowLimit: number | undefined,
    create: (lease?: RunLease) => Promise<T>,
  ): Promise<T> {
    if (!this.canStartAtOnce(workflowLimit)) return create();
    const lease = this.newLease();
    this.reserved++;
    try {
      const result = await create(lease);
      if (result.outcome === "created") this.early.set(runId, lease.startedAt);
      return result;
    } finally {
      this.reserved--;
    }
  }

  /**
   * True when a run may start with its creation: its workflow has no limit of its own and a slot
   * is free, counting the creations claiming one and every run waiting in the queue (so none is
   * overtaken).
   */
  canStartAtOnce(workflowLimit: number | undefined): boolean {
    const { queue, concurrency } = this.options;
    return !workflowLimit && concurrency - queue.running - queue.pending - this.reserved > 0;
  }

  private newLease(): RunLease {
    const now = this.options.clock.now();
    return {
      owner: this.options.owner,
      leaseUntil: isoTime(now + this.options.leaseMs),
      startedAt: isoTime(now),
    };
  }

  private async claim(runId: string): Promise<string | null> {
    const { owner, leaseUntil, startedAt } = this.newLease();
    const claimed = await this.options.store.claimRun(runId, owner, leaseUntil, startedAt, (holder) =>
      isOwnerGone(holder, owner),
    );
    return claimed ? startedAt : null;
  }
}
