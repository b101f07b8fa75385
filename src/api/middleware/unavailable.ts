import type { MiddlewareHandler } from "hono";
import { WfdError } from "../../core/errors.ts";

/** Answers 503 UNAVAILABLE while the daemon shuts down, so clients retry elsewhere or later. */
export function unavailableWhenStopping(accepting: () => boolean): MiddlewareHandler {
  return async function unavailableMiddleware(_c, next) {
    if (!accepting()) throw new WfdError("UNAVAILABLE", "wfd is shutting down; try again shortly");
    await next();
  };
}
