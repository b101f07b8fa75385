/** A run waiting to execute, with what the limits need to know. */
export interface QueuedRun {
  runId: string;
  workflowId: string;
  /** The pinned version's `concurrency`, if any. */
  workflowLimit?: number;
}

/** One workflow's waiting runs in arrival order; `seq` orders runs across workflows. */
interface WorkflowLine {
  entries: { run: QueuedRun; seq: number }[];
  head: number;
}

/**
 * FIFO queue of pending runs under a global limit and per-workflow limits. Each workflow keeps its
 * own line, so a workflow at its limit, however long its backlog, costs one look per take and
 * does not block runs of other workflows behind it. Runs of one workflow start in arrival order.
 */
export class RunQueue {
  /** Workflows with waiting runs. */
  private readonly lines = new Map<string, WorkflowLine>();
  /** Waiting runs; a removed run leaves its entry in its line, skipped when it comes up. */
  private readonly queuedIds = new Set<string>();
  private readonly runningByWorkflow = new Map<string, number>();
  /** Runs started by take(): each holds a slot of the global limit that it may lend. */
  private readonly holders = new Set<string>();
  private runningTotal = 0;
  private arrivals = 0;

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
    let line = this.lines.get(run.workflowId);
    if (!line) {
      line = { entries: [], head: 0 };
      this.lines.set(run.workflowId, line);
    }
    line.entries.push({ run, seq: this.arrivals++ });
  }

  /** Removes a queued run (cancelled while pending); true when it was queued. */
  remove(runId: string): boolean {
    return this.queuedIds.delete(runId);
  }

  /**
   * Takes the oldest run that the limits allow to start now, and counts it as running: the oldest
   * first run among the lines of workflows below their limit. Costs one look per waiting workflow.
   */
  take(): QueuedRun | undefined {
    if (this.runningTotal >= this.globalLimit) return undefined;
    let chosen: WorkflowLine | undefined;
    let oldest = Infinity;
    for (const [workflowId, line] of this.lines) {
      const first = this.firstWaiting(workflowId, line);
      if (first && first.seq < oldest && this.hasRoom(first.run)) {
        chosen = line;
        oldest = first.seq;
      }
    }
    if (!chosen) return undefined;
    const { run } = chosen.entries[chosen.head++] as { run: QueuedRun };
    this.queuedIds.delete(run.runId);
    this.compact(run.workflowId, chosen);
    this.markRunning(run.workflowId);
    this.holders.add(run.runId);
    return run;
  }

  /** Counts a run that started outside the queue (a resumed run) against the limits. */
  markRunning(workflowId: string): void {
    this.runningTotal++;
    this.runningByWorkflow.set(workflowId, (this.runningByWorkflow.get(workflowId) ?? 0) + 1);
  }

  /**
   * A running run waits for a run it started (a workflow step's child): a run taken from here
   * gives its slot of the global limit back until `reclaim`, and keeps its workflow's slot.
   * False when the run holds no slot to lend (it was not started by take()).
   */
  lend(runId: string): boolean {
    if (!this.holders.has(runId)) return false;
    this.runningTotal = Math.max(0, this.runningTotal - 1);
    return true;
  }

  /** The waiting run goes on: it takes its global slot back at once, even over the limit. */
  reclaim(): void {
    this.runningTotal++;
  }

  /** A run taken from here stopped executing; frees its slots. */
  releaseTaken(run: QueuedRun): void {
    this.holders.delete(run.runId);
    this.release(run.workflowId);
  }

  /** A run stopped executing; frees its slots. */
  release(workflowId: string): void {
    this.runningTotal = Math.max(0, this.runningTotal - 1);
    const count = (this.runningByWorkflow.get(workflowId) ?? 1) - 1;
    if (count > 0) this.runningByWorkflow.set(workflowId, count);
    else this.runningByWorkflow.delete(workflowId);
  }

  /** The line's first run still queued (removed ones are dropped); a line left empty is deleted. */
  private firstWaiting(workflowId: string, line: WorkflowLine) {
    while (line.head < line.entries.length) {
      const entry = line.entries[line.head] as { run: QueuedRun; seq: number };
      if (this.queuedIds.has(entry.run.runId)) return entry;
      line.head++;
    }
    this.lines.delete(workflowId);
    return undefined;
  }

  /** Drops taken entries once they are most of a line, so memory stays proportional to the backlog. */
  private compact(workflowId: string, line: WorkflowLine): void {
    if (line.head === line.entries.length) this.lines.delete(workflowId);
    else if (line.head >= 1024 && line.head * 2 >= line.entries.length) {
      line.entries = line.entries.slice(line.head);
      line.head = 0;
    }
  }

  private hasRoom(run: QueuedRun): boolean {
    if (run.workflowLimit === undefined) return true;
    return (this.runningByWorkflow.get(run.workflowId) ?? 0) < run.workflowLimit;
  }
}
