/** A source of time. Injected everywhere time matters so tests can drive it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `callback` once `ms` have passed; the returned function cancels it. Cheaper than a
   * sleep with an AbortController for timers that are nearly always cancelled (run waits).
   */
  after(ms: number, callback: () => void): () => void;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

const MAX_TIMER_MS = 2_147_483_647;

/** A sleep on `after`: resolves when it fires, or cancels it and rejects when `signal` aborts. */
function sleepAfter(clock: Pick<Clock, "after">, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      cancel();
      reject(abortReason(signal as AbortSignal));
    };
    const cancel = clock.after(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return sleepAfter(systemClock, ms, signal);
  },
  after(ms, callback) {
    const wakeAt = Date.now() + Math.max(0, ms);
    let timer: ReturnType<typeof setTimeout>;
    // setTimeout overflows past 2^31-1 ms and fires at once, so long waits go in capped chunks.
    const arm = () => {
      const left = wakeAt - Date.now();
      if (left <= 0) return callback();
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    timer = setTimeout(arm, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    return () => clearTimeout(timer);
  },
};

interface Sleeper {
  wakeAt: number;
  resolve: () => void;
}

/** A clock that moves only when told to; sleeps resolve as `advance` passes their wake time. */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private sleepWatchers: Array<() => void> = [];

  constructor(start: number | Date = 0) {
    this.current = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  /** Number of sleeps waiting for the clock to move. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 && !signal?.aborted) return Promise.resolve();
    return sleepAfter(this, ms, signal);
  }

  after(ms: number, callback: () => void): () => void {
    const sleeper: Sleeper = { wakeAt: this.current + Math.max(0, ms), resolve: callback };
    this.sleepers.push(sleeper);
    for (const watcher of this.sleepWatchers.splice(0)) watcher();
    return () => {
      this.sleepers = this.sleepers.filter((s) => s !== sleeper);
    };
  }

  /** Moves time forward and wakes every sleeper that is due, in wake order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.sleepers.filter((s) => s.wakeAt <= target).sort((a, b) => a.wakeAt - b.wakeAt);
      const next = due[0];
      if (!next) break;
      this.current = Math.max(this.current, next.wakeAt);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
      // Let the woken code run (and perhaps sleep again) before moving on.
      await Bun.sleep(0);
    }
    this.current = target;
  }

  /** Resolves once at least `count` sleeps are waiting; lets tests await "the code is now sleeping". */
  async waitForSleepers(count = 1): Promise<void> {
    while (this.sleepers.length < count) {
      await new Promise<void>((resolve) => this.sleepWatchers.push(resolve));
    }
  }
}
