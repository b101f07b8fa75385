/** A run waiting to execute, with what the limits need to know. */
export interface QueuedRun {
  runId: string;
  workflowId: string;
  /** The pinned version's `concurrency`, if any. */
  workflowLimit?: number;
}

/**
 * FIFO queue of pending runs under a global limit and per-workflow limits. A run whose workflow is
 * at its limit waits without blocking runs of other workflows behind it.
 */
export class RunQueue {
  /** Arrival order; entries before `head` are taken, those not in `queuedIds` were removed. */
  private waiting: QueuedRun[] = [];
  private head = 0;
  private queuedIds = new Set<string>();
  private runningByWorkflow = new Map<string, number>();
  private runningTotal = 0;

  constructor(private readonly globalLimit: number) {}

  get running(): number {
    return this.runningTotal;
  }

  get pending(): number {
    return this.queuedIds.size;
  }

  has(runId: string): boolean {
    return this.queuedIds.has(runId);
  }

  /** Adds a run at the back; a run already queued is not added twice. */
  enqueue(run: QueuedRun): void {
    if (this.queuedIds.has(run.runId)) return;
    this.queuedIds.add(run.runId);
    this.waiting.push(run);
  }

  /** Removes a queued run (cancelled while pending); true when it was queued. */
  remove(runId: string): boolean {
    // The entry stays in `waiting` and is skipped: removing from the middle would cost O(n).
    return this.queuedIds.delete(runId);
  }

  /**
   * Takes the oldest run that the limits allow to start now, and counts it as running. The usual
   * case, the oldest run itself, costs O(1) however long the backlog is.
   */
  take(): QueuedRun | undefined {
    if (this.runningTotal >= this.globalLimit) return undefined;
    this.skipRemoved();
    for (let index = this.head; index < this.waiting.length; index++) {
      const run = this.waiting[index] as QueuedRun;
      if (!this.queuedIds.has(run.runId) || !this.hasRoom(run)) continue;
      if (index === this.head) this.head++;
      else this.waiting.splice(index, 1);
      this.queuedIds.delete(run.runId);
      this.compact();
      this.markRunning(run.workflowId);
      return run;
    }
    return undefined;
  }

  /** Counts a run that started outside the queue (a resumed run) against the limits. */
  markRunning(workflowId: string): void {
    this.runningTotal++;
    this.runningByWorkflow.set(workflowId, (this.runningByWorkflow.get(workflowId) ?? 0) + 1);
  }

  /** A run stopped executing; frees its slots. */
  release(workflowId: string): void {
    this.runningTotal = Math.max(0, this.runningTotal - 1);
    const count = (this.runningByWorkflow.get(workflowId) ?? 1) - 1;
    if (count > 0) this.runningByWorkflow.set(workflowId, count);
    else this.runningByWorkflow.delete(workflowId);
  }

  private skipRemoved(): void {
    while (
      this.head < this.waiting.length &&
      !this.queuedIds.has((this.waiting[this.head] as QueuedRun).runId)
    ) {
      this.head++;
    }
  }

  /** Drops taken entries once they are most of the array, so memory stays proportional to the backlog. */
  private compact(): void {
    if (this.head < 1024 || this.head * 2 < this.waiting.length) return;
    this.waiting = this.waiting.slice(this.head);
    this.head = 0;
  }

  private hasRoom(run: QueuedRun): boolean {
    if (run.workflowLimit === undefined) return true;
    return (this.runningByWorkflow.get(run.workflowId) ?? 0) < run.workflowLimit;
  }
}
