import type { MiddlewareHandler } from "hono";
import { ulid } from "../../lib/ids.ts";

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every request an id (the caller's X-Request-Id when it is sane) and echoes it back. */
export function requestId(): MiddlewareHandler {
  return function requestIdMiddleware(c, next) {
    const incoming = c.req.header("x-request-id");
    const id = incoming && INCOMING_ID.test(incoming) ? incoming : `req_${ulid()}`;
    c.set("requestId", id);
    c.header("X-Request-Id", id);
    return next();
  };
}
