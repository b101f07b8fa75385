import type { StepExecutor } from "../../core/engine.ts";
import { StepError } from "../../core/errors.ts";
import { MAX_OUTPUT_CHARS } from "../failures.ts";
import { buildHttpRequest } from "./http-request.ts";

const EXCERPT_CHARS = 200;

/** What an http step returns. */
export interface HttpOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * `http`: one request with Bun's fetch, aborted with the step. The body is read up to the output
 * limit only, so a huge answer fails the step instead of filling memory.
 */
export const httpExecutor: StepExecutor = {
  type: "http",
  async execute(context): Promise<HttpOutput> {
    const request = buildHttpRequest(context);
    const target = `${request.method} ${request.url.origin}${request.url.pathname}`;
    const { signal } = context;
    let response: Response;
    let text: { text: string; truncated: boolean };
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        signal,
      });
      text = await readLimited(response, MAX_OUTPUT_CHARS);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const why = error instanceof Error ? error.message : String(error);
      throw new StepError("HTTP_REQUEST_FAILED", `${target} failed: ${why}`);
    }
    if (!request.isExpected(response.status)) {
      const excerpt = text.text.slice(0, EXCERPT_CHARS).replace(/\s+/g, " ").trim();
      throw new StepError(
        "HTTP_STATUS",
        `${target} answered ${response.status}${excerpt ? `: ${excerpt}` : ""}`,
      );
    }
    if (text.truncated) {
      const message = `${target} answered with a body over ${MAX_OUTPUT_CHARS} bytes`;
      throw new StepError("OUTPUT_TOO_LARGE", message, { retryable: false });
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return { status: response.status, headers, body: parseBody(text.text, headers["content-type"]) };
  },
};

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
