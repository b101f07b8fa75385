import type { ErrorHandler, NotFoundHandler } from "hono";
import { WfdError } from "../../core/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import { errorBody } from "../envelope.ts";

/** Maps WfdError to its status and envelope; anything else is INTERNAL_ERROR without details. */
export function errorHandler(logger: Logger): ErrorHandler {
  return function handleError(error, c) {
    const requestId = (c.get("requestId") as string | undefined) ?? "";
    if (error instanceof WfdError) {
      return c.json(errorBody(requestId, error.code, error.message, error.details), error.status as 400);
    }
    logger.error("request failed", { requestId, path: c.req.path, error: error.message, stack: error.stack });
    return c.json(
      errorBody(requestId, "INTERNAL_ERROR", "Internal error; see the server log for this request id"),
      500,
    );
  };
}

/** Unknown routes answer NOT_FOUND in the envelope. */
export function notFoundHandler(): NotFoundHandler {
  return function handleNotFound(c) {
    const requestId = (c.get("requestId") as string | undefined) ?? "";
    return c.json(errorBody(requestId, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`), 404);
  };
}
