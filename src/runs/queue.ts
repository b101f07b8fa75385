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
  private waiting: QueuedRun[] = [];
  private queuedIds = new Set<string>();
  private runningByWorkflow = new Map<string, number>();
  private runningTotal = 0;

  constructor(private readonly globalLimit: number) {}

  get running(): number {
    return this.runningTotal;
  }

  get pending(): number {
    return this.waiting.length;
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
    if (!this.queuedIds.delete(runId)) return false;
    this.waiting = this.waiting.filter((run) => run.runId !== runId);
    return true;
  }

  /** Takes the oldest run that the limits allow to start now, and counts it as running. */
  take(): QueuedRun | undefined {
    if (this.runningTotal >= this.globalLimit) return undefined;
    const index = this.waiting.findIndex((run) => this.hasRoom(run));
    if (index < 0) return undefined;
    const [run] = this.waiting.splice(index, 1) as [QueuedRun];
    this.queuedIds.delete(run.runId);
    this.markRunning(run.workflowId);
    return run;
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

  private hasRoom(run: QueuedRun): boolean {
    if (run.workflowLimit === undefined) return true;
    return (this.runningByWorkflow.get(run.workflowId) ?? 0) < run.workflowLimit;
  }
}
