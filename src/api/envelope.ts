import type { Context } from "hono";
import type { ErrorDetail } from "../core/errors.ts";

/** The success envelope of DESIGN §7. */
export function ok(
  c: Context,
  data: unknown,
  status: 200 | 201 | 202 = 200,
  meta: Record<string, unknown> = {},
) {
  return c.json({ success: true, data, meta: { requestId: c.get("requestId"), ...meta } }, status);
}

/** The error envelope of DESIGN §7. */
export function errorBody(requestId: string, code: string, message: string, details?: ErrorDetail[]) {
  return { success: false, error: { code, message, ...(details ? { details } : {}) }, meta: { requestId } };
}
