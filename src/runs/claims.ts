import { isoTime } from "../core/run.ts";
import type { RunStore } from "../core/store.ts";
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
  /** Claims made in the same commit as the run's creation, for runs that can start at once. */
  private readonly early = new Map<string, Promise<string | null>>();
  private reserved = 0;

  constructor(private readonly options: RunClaimsOptions) {}

  /** Claims a run now, or takes the claim made with its creation. */
  take(runId: string): Promise<string | null> {
    const early = this.early.get(runId);
    this.early.delete(runId);
    return early ?? this.claim(runId);
  }

  /** Drops a claim made with a creation (the run was cancelled before it started). */
  forget(runId: string): void {
    this.early.delete(runId);
  }

  /**
   * Queues the claim of a run being created right behind its insert, so both commit together
   * and a run that can start at once saves a commit round; `creating` is that insert. Only when
   * a slot is free for it (counting other such claims), so a run waiting in the queue is never
   * shown as running; workflows with their own concurrency limit take the ordinary path.
   */
  withCreation(
    runId: string,
    workflowLimit: number | undefined,
    creating: Promise<{ outcome: string }>,
  ): void {
    const { queue, concurrency } = this.options;
    if (workflowLimit || concurrency - queue.running - queue.pending - this.reserved <= 0) return;
    this.reserved++;
    const claim = this.claim(runId);
    creating.then(
      (result) => {
        this.reserved--;
        if (result.outcome === "created") this.early.set(runId, claim);
      },
      () => this.reserved--,
    );
  }

  private async claim(runId: string): Promise<string | null> {
    const now = this.options.clock.now();
    const startedAt = isoTime(now);
    const claimed = await this.options.store.claimRun(
      runId,
      this.options.owner,
      isoTime(now + this.options.leaseMs),
      startedAt,
      (owner) => isOwnerGone(owner, this.options.owner),
    );
    return claimed ? startedAt : null;
  }
}
