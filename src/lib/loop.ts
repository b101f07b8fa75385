import type { Clock } from "./clock.ts";

/**
 * Calls `task` every `intervalMs` until `signal` aborts, sleeping on the injected clock. A failing
 * task is reported to `onError` and the loop goes on. Resolves when the loop has stopped.
 */
export async function repeatEvery(
  clock: Clock,
  intervalMs: number,
  signal: AbortSignal,
  task: () => Promise<void>,
  onError: (error: unknown) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await clock.sleep(intervalMs, signal);
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
