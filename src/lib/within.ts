import type { Clock } from "./clock.ts";

/**
 * `promise`'s value, or null once `timeoutMs` passes on `clock` (never, when null) or `signal`
 * aborts, whichever comes first. The timer and the listener are removed either way.
 */
export async function within<T>(
  promise: Promise<T>,
  clock: Clock,
  timeoutMs: number | null,
  signal?: AbortSignal,
): Promise<T | null> {
  if (signal?.aborted) return null;
  if (timeoutMs === null && !signal) return promise;
  let stop = () => {};
  const expired = new Promise<null>((resolve) => {
    const none = () => resolve(null);
    const cancelTimer = timeoutMs === null ? () => {} : clock.after(timeoutMs, none);
    signal?.addEventListener("abort", none, { once: true });
    stop = () => {
      cancelTimer();
      signal?.removeEventListener("abort", none);
    };
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    stop();
  }
}
