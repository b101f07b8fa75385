import { WfdError } from "../../core/errors.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Guard } from "./guard.ts";

const WINDOW_MS = 60_000;

/** Execute endpoints: starting runs. Everything else counts against the `other` limit. */
const EXECUTE_PATH = /^\/api\/v1\/(workflows\/[^/]+\/(run|execute|trigger)|runs)\/?$/;

/** True for the requests that count against a key's `execute` limit. */
export function isExecuteRequest(method: string, path: string): boolean {
  return method === "POST" && EXECUTE_PATH.test(path);
}

interface Window {
  start: number;
  count: number;
}

/**
 * Per-key, per-minute fixed-window limits, separately for execute requests and the rest. Sets
 * X-RateLimit-Limit/Remaining/Reset (unix seconds) on every authenticated response and answers
 * 429 RATE_LIMITED with Retry-After once a window's budget is spent. Runs after `authenticate`.
 */
export function limitRate(clock: Clock): Guard {
  // By key hash, then kind: no key string to build and hash on every request.
  const windows = new Map<string, { execute?: Window; other?: Window }>();
  return function rateLimitGuard(c) {
    const key = c.get("apiKey");
    const kind = isExecuteRequest(c.req.method, c.req.path) ? "execute" : "other";
    const limit = key.rateLimit[kind];
    const now = clock.now();
    const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    let keyWindows = windows.get(key.hash);
    if (!keyWindows) {
      keyWindows = {};
      windows.set(key.hash, keyWindows);
    }
    let window = keyWindows[kind];
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      keyWindows[kind] = window;
    }
    window.count++;
    const resetMs = start + WINDOW_MS;
    c.header("X-RateLimit-Limit", String(limit));
    c.header("X-RateLimit-Remaining", String(Math.max(0, limit - window.count)));
    c.header("X-RateLimit-Reset", String(Math.ceil(resetMs / 1000)));
    if (window.count > limit) {
      c.header("Retry-After", String(Math.max(1, Math.ceil((resetMs - now) / 1000))));
      throw new WfdError("RATE_LIMITED", `Rate limit of ${limit} ${kind} requests per minute exceeded`);
    }
  };
}
