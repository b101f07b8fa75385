import type { MiddlewareHandler } from "hono";
import { WfdError } from "../../core/errors.ts";
import type { ApiEnv } from "../deps.ts";

const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
const decoder = new TextDecoder();

function tooLarge(limit: number): WfdError {
  return new WfdError("PAYLOAD_TOO_LARGE", `Request body is larger than the limit of ${limit} bytes`);
}

/** Reads the body, stopping as soon as it passes `limit` bytes (Content-Length may be absent or wrong). */
async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * A body of known length as text: Request.text() decodes it in one native step, about 0.6 us less
 * per request than decoding its bytes here. Over HTTP the server reads exactly Content-Length
 * bytes; the check again catches a Request built in-process with a smaller Content-Length than its
 * body (every UTF-16 code unit of the text came from at least one byte).
 */
async function bufferedText(request: Request, limit: number): Promise<string> {
  const text = await request.text();
  if (text.length > limit) throw tooLarge(limit);
  return text;
}

/**
 * Reads a JSON request body once, within `limit` bytes (413 PAYLOAD_TOO_LARGE, checked on
 * Content-Length and on the bytes actually read), and parses it (400 VALIDATION_ERROR). The value
 * is `c.get("body")`; an empty body is undefined.
 */
export function jsonBody(limit: number): MiddlewareHandler<ApiEnv> {
  return async function jsonBodyMiddleware(c, next) {
    if (!WITH_BODY.has(c.req.method)) return next();
    const length = c.req.header("content-length");
    const declared = Number(length ?? "0");
    if (declared > limit) throw tooLarge(limit);
    // With a Content-Length the server reads exactly that many bytes, so one read is bounded by
    // the check above (and checked again); a body without one (chunked) is read as a stream.
    const text =
      length !== undefined && !c.req.header("transfer-encoding")
        ? await bufferedText(c.req.raw, limit)
        : decoder.decode(await readLimited(c.req.raw.body, limit));
    if (text.trim() === "") {
      c.set("body", undefined);
      return next();
    }
    try {
      c.set("body", JSON.parse(text));
    } catch (error) {
      const reason = (error as Error).message;
      throw new WfdError("VALIDATION_ERROR", `Request body is not valid JSON: ${reason}`, [
        { path: [], message: reason },
      ]);
    }
    await next();
  };
}
