import type { Clock } from "./clock.ts";

/** The abort reason that ends a wait; an explicit one spares a DOMException (with a stack) each time. */
const WAIT_OVER = "wait over";

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
  if (signal?.aborted) return null;
  if (timeoutMs === null && !signal) return promise;
  // One controller ends the timer's sleep, and the sleep's rejection (or end) resolves null.
  const timer = new AbortController();
  const onAbort = () => timer.abort(WAIT_OVER);
  signal?.addEventListener("abort", onAbort, { once: true });
  const expired = new Promise<null>((resolve) => {
    const none = () => resolve(null);
    if (timeoutMs === null) timer.signal.addEventListener("abort", none, { once: true });
    else clock.sleep(timeoutMs, timer.signal).then(none, none);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    timer.abort(WAIT_OVER);
    signal?.removeEventListener("abort", onAbort);
  }
}
