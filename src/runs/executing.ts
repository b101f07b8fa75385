import type { Logger } from "../lib/logger.ts";
import type { CheckpointObserver } from "./checkpoint.ts";

/** What shutdown needs of a run's observer: to stop recording its progress. */
type Detachable = Pick<CheckpointObserver, "detach">;

interface ExecutingRun {
  controller: AbortController;
  observer: Detachable;
  done: Promise<void>;
}

/** The runs executing in this process: each one's abort controller, checkpoint observer and end. */
export class ExecutingRuns {
  private readonly runs = new Map<string, ExecutingRun>();

  get size(): number {
    return this.runs.size;
  }

  /** Runs `execute` as the execution of `runId`, with the signal that cancelling and shutdown abort. */
  async track<T>(
    runId: string,
    observer: Detachable,
    execute: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const { promise: done, resolve: markDone } = Promise.withResolvers<void>();
    this.runs.set(runId, { controller, observer, done });
    try {
      return await execute(controller.signal);
    } finally {
      this.runs.delete(runId);
      markDone();
    }
  }

  /** Aborts the run's execution with `reason` and waits for its end; false when it is not executing here. */
  async abort(runId: string, reason: unknown): Promise<boolean> {
    const run = this.runs.get(runId);
    if (!run) return false;
    run.controller.abort(reason);
    await run.done;
    return true;
  }

  /**
   * Shutdown once the grace period is over: each run stops recording its progress and is aborted,
   * so it stays `running` and resumes at the next start.
   */
  interruptAll(logger: Logger): void {
    for (const [runId, run] of this.runs) {
      logger.warn("run interrupted by shutdown; it resumes at the next start", { runId });
      run.observer.detach();
      run.controller.abort(new Error("wfd is shutting down"));
    }
  }

  /** Settles when every run executing now has ended. */
  ended(): Promise<unknown> {
    return Promise.all([...this.runs.values()].map((run) => run.done));
  }
}
