import { type HttpRequestSpec, isHttpUrl } from "./http-request.ts";

/** Redirects followed before the step fails: a real API needs one or two, a loop never ends. */
export const MAX_REDIRECTS = 10;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Headers that describe a body; they go with it when a redirect turns the request into a GET. */
const BODY_HEADERS = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
];

/**
 * Sends the request and follows redirects itself, returning the last response. fetch's own
 * `redirect: "follow"` strips only Authorization and Cookie on a cross-origin redirect, so a
 * connection's `X-Api-Key` would reach whatever host a server redirects to. Here, from the first
 * hop to another origin (scheme, host and port) on, only the headers in `crossOriginHeaders` are
 * sent, and they are not restored if a later hop comes back. Methods change as in fetch: 303 turns
 * anything but HEAD into a GET without body, 301 and 302 do so for a POST, 307 and 308 keep the
 * method and body. Every hop uses `signal`, so the step timeout and cancel cover the whole chain.
 * A failure rejects with an Error whose message never holds a URL's query string.
 */
export async function fetchFollowingRedirects(
  request: HttpRequestSpec,
  signal: AbortSignal,
): Promise<Response> {
  let { method, url, body } = request;
  const headers = new Headers(request.headers);
  for (let redirects = 0; ; redirects++) {
    const response = await fetch(url, { method, headers, body: body ?? null, signal, redirect: "manual" });
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
    // Without a Location the 3xx is the answer, as in fetch.
    if (location === null) return response;
    await response.body?.cancel();
    if (redirects === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    const next = URL.canParse(location, url.href) ? new URL(location, url) : null;
    if (!next) throw new Error(`answered ${response.status} with an invalid Location`);
    if (!isHttpUrl(next)) {
      throw new Error(`redirected to a ${next.protocol} URL; only http and https are followed`);
    }
    if (next.origin !== url.origin) {
      for (const [name] of [...headers]) {
        if (!request.crossOriginHeaders.has(name)) headers.delete(name);
      }
    }
    if (becomesGet(response.status, method)) {
      method = "GET";
      body = undefined;
      for (const name of BODY_HEADERS) headers.delete(name);
    }
    url = next;
  }
}

function becomesGet(status: number, method: string): boolean {
  return (
    (status === 303 && method !== "GET" && method !== "HEAD") ||
    ((status === 301 || status === 302) && method === "POST")
  );
}
