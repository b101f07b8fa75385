import type { StepExecutor } from "../../core/engine.ts";
import { type RunErrorCode, StepError } from "../../core/errors.ts";
import { MAX_OUTPUT_CHARS } from "../failures.ts";
import { fetchFollowingRedirects } from "./http-redirect.ts";
import { buildHttpRequest } from "./http-request.ts";

const EXCERPT_CHARS = 200;

/** What an http step returns. */
export interface HttpOutput {
  status: number;
  /**
   * Lower-case names. A repeated header is one value joined with ", ", except `set-cookie`, which
   * is always a list: a cookie's Expires date holds a comma, so joined cookies could not be split.
   */
  headers: Record<string, string | string[]>;
  body: unknown;
}

/**
 * `http`: one request with Bun's fetch, following redirects (see fetchFollowingRedirects), aborted
 * with the step. The body is read up to the output limit only, so a huge answer fails the step
 * instead of filling memory.
 */
export const httpExecutor: StepExecutor = {
  type: "http",
  async execute(context): Promise<HttpOutput> {
    const request = buildHttpRequest(context);
    // The decoded path: a URL encodes a secret in it its own way (`a%20b|c`), which no encoded
    // form the masker knows reproduces exactly. No query string: it often carries tokens.
    const target = `${request.method} ${request.url.origin}${decodePath(request.url.pathname)}`;
    const fail = (code: RunErrorCode, message: string, retryable = true) =>
      new StepError(code, context.mask(message), { retryable });
    const { signal } = context;
    let response: Response;
    let text: { text: string; truncated: boolean };
    try {
      response = await fetchFollowingRedirects(request, signal);
      text = await readLimited(response, MAX_OUTPUT_CHARS);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const why = error instanceof Error ? error.message : String(error);
      throw fail("HTTP_REQUEST_FAILED", `${target} failed: ${why}`);
    }
    if (!request.isExpected(response.status)) {
      // Masked before it is cut (a cut secret is no longer found) and before whitespace is
      // collapsed (a multi-line secret would no longer match).
      const masked = context.mask(text.text);
      const excerpt = masked.replace(/\s+/g, " ").trim().slice(0, EXCERPT_CHARS).trim();
      throw fail("HTTP_STATUS", `${target} answered ${response.status}${excerpt ? `: ${excerpt}` : ""}`);
    }
    if (text.truncated) {
      const message = `${target} answered with a body over ${MAX_OUTPUT_CHARS} bytes`;
      throw fail("OUTPUT_TOO_LARGE", message, false);
    }
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) headers["set-cookie"] = cookies;
    const contentType = response.headers.get("content-type") ?? undefined;
    return { status: response.status, headers, body: parseBody(text.text, contentType) };
  },
};

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** JSON when the content type says so and it parses; the text otherwise. */
function parseBody(text: string, contentType: string | undefined): unknown {
  if (!contentType || !/[/+]json\b/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads at most `limit` bytes of the body; stops reading (and says so) past that. */
async function readLimited(response: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), truncated: false };
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel();
      return {
        text: text + decoder.decode(value.subarray(0, limit - (bytes - value.byteLength))),
        truncated: true,
      };
    }
    text += decoder.decode(value, { stream: true });
  }
}
