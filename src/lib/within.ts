import type { Clock } from "./clock.ts";

/**
 * `promise`'s value, or null once `timeoutMs` passes on `clock` (never, when null) or `signal`
 * aborts, whichever comes first. The timer is cleared either way.
 */
export async function within<T>(
  promise: Promise<T>,
  clock: Clock,
  timeoutMs: number | null,
  signal?: AbortSignal,
): Promise<T | null> {
  const timer = new AbortController();
  const onAbort = () => timer.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const expired = new Promise<null>((resolve) => {
    timer.signal.addEventListener("abort", () => resolve(null), { once: true });
    if (timeoutMs !== null)
      clock.sleep(timeoutMs, timer.signal).then(
        () => resolve(null),
        () => resolve(null),
      );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    timer.abort();
    signal?.removeEventListener("abort", onAbort);
  }
}
