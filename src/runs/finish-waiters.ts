import { FINISHED_RUN_STATUSES, type Run } from "../core/run.ts";
import type { RunEvents } from "../core/runs.ts";
import type { Clock } from "../lib/clock.ts";
import type { TypedEmitter } from "../lib/emitter.ts";
import { within } from "../lib/within.ts";

/** Called with the finished run, or null when waiting ends without one (shutdown). */
type Waiter = (run: Run | null) => void;

/**
 * Callers waiting for runs to finish, by run id. A finished run wakes only its own waiters, where
 * a listener per wait on the run:finished event made every finish call every waiter.
 */
export class FinishWaiters {
  private readonly waiting = new Map<string, Set<Waiter>>();

  /** Resolves `finished` with the run when `settle` is called for it; `stop` gives up waiting. */
  wait(runId: string): { finished: Promise<Run | null>; stop: () => void } {
    let waiter: Waiter = () => {};
    const finished = new Promise<Run | null>((resolve) => {
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

  /** Wakes every waiter of every run with null. */
  releaseAll(): void {
    const sets = [...this.waiting.values()];
    this.waiting.clear();
    for (const set of sets) for (const waiter of set) waiter(null);
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

/**
 * Which runs are unfinished here (queued or executing in this process), and the callers waiting
 * for runs to finish. Waiting for a run known to be unfinished needs no read of the store.
 */
export class RunFinishes {
  private readonly unfinished = new Set<string>();
  private readonly waiters = new FinishWaiters();
  private released = false;

  constructor(
    private readonly events: TypedEmitter<RunEvents>,
    private readonly clock: Clock,
    private readonly read: (runId: string) => Promise<Run>,
  ) {}

  /** A run queued here: it is unfinished until announced or forgotten. */
  expect(runId: string): void {
    this.unfinished.add(runId);
  }

  /** The run is no longer handled here (its execution ended or never began). */
  forget(runId: string): void {
    this.unfinished.delete(runId);
  }

  /** Emits run:finished; a waiter that looks from now on reads the run instead of waiting. */
  announce(run: Run): void {
    this.unfinished.delete(run.id);
    this.waiters.settle(run);
    this.events.emit("run:finished", run);
  }

  /**
   * Ends every wait now and from now on with null (the service is stopping): a caller waiting for
   * a run gets its answer before the server closes its connection.
   */
  releaseAll(): void {
    this.released = true;
    this.waiters.releaseAll();
  }

  /**
   * The run once it is finished, or null when `timeoutMs` passes, `signal` aborts or the service
   * stops first.
   */
  async wait(runId: string, timeoutMs: number | null, signal?: AbortSignal): Promise<Run | null> {
    const { finished, stop } = this.waiters.wait(runId);
    try {
      if (!this.unfinished.has(runId)) {
        const current = await this.read(runId);
        if (FINISHED_RUN_STATUSES.includes(current.status)) return current;
      }
      if (this.released) return null;
      return await within(finished, this.clock, timeoutMs, signal);
    } finally {
      stop();
    }
  }
}
