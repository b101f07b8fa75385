import type { Run } from "../core/run.ts";

type Waiter = (run: Run) => void;

/**
 * Callers waiting for runs to finish, by run id. A finished run wakes only its own waiters, where
 * a listener per wait on the run:finished event made every finish call every waiter.
 */
export class FinishWaiters {
  private readonly waiting = new Map<string, Set<Waiter>>();

  /** Resolves `finished` with the run when `settle` is called for it; `stop` gives up waiting. */
  wait(runId: string): { finished: Promise<Run>; stop: () => void } {
    let waiter: Waiter = () => {};
    const finished = new Promise<Run>((resolve) => {
      waiter = resolve;
    });
    let set = this.waiting.get(runId);
    if (!set) {
      set = new Set();
      this.waiting.set(runId, set);
    }
    set.add(waiter);
    const stop = () => {
      set.delete(waiter);
      if (set.size === 0 && this.waiting.get(runId) === set) this.waiting.delete(runId);
    };
    return { finished, stop };
  }

  /** Wakes every waiter of this run. */
  settle(run: Run): void {
    const set = this.waiting.get(run.id);
    if (!set) return;
    this.waiting.delete(run.id);
    for (const waiter of set) waiter(run);
  }

  /** Runs someone is waiting for (for tests and leak checks). */
  get size(): number {
    return this.waiting.size;
  }
}
