import type { Clock } from "./clock.ts";

/**
 * Calls `task` every `intervalMs` until `signal` aborts, sleeping on the injected clock; the first
 * call comes after `firstAfterMs` (default one interval). A failing task is reported to `onError`
 * and the loop goes on. Resolves when the loop has stopped.
 */
export async function repeatEvery(
  clock: Clock,
  intervalMs: number,
  signal: AbortSignal,
  task: () => Promise<void>,
  onError: (error: unknown) => void,
  firstAfterMs = intervalMs,
): Promise<void> {
  for (let wait = firstAfterMs; !signal.aborted; wait = intervalMs) {
    try {
      await clock.sleep(wait, signal);
    } catch {
      return;
    }
    try {
      await task();
    } catch (error) {
      onError(error);
    }
  }
}
