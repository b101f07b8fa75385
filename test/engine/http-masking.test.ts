import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { httpExecutor } from "../../src/engine/steps/http.ts";
import { failure, makeServices, stepContext } from "./helpers.ts";

type Server = ReturnType<typeof Bun.serve>;
let server: Server;
let base: string;

const TOKEN = "s3cr3t-token-value";
const MULTI_LINE = "-----BEGIN KEY-----\nabc123\n-----END KEY-----";
const IN_PATH = "pass word/with{x}";
// A URL path keeps "|" as is but encodes the space: a form that no encoding function produces.
const URL_ENCODED = "open sesame|now";

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      switch (url.pathname) {
        case "/token-at-cut":
          // The token straddles the 200-character excerpt limit.
          return new Response(`${"x".repeat(190)} ${TOKEN}`, { status: 401 });
        case "/multi-line":
          return new Response(`bad key:\n${MULTI_LINE}\n`, { status: 403 });
        case "/quiet/open%20sesame|now":
          return new Response(null, { status: 500 });
        default:
          // As many frameworks do: the path echoed as it arrived, percent-encoded.
          return new Response(`Cannot GET ${url.pathname}`, { status: 404 });
      }
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => {
  server.stop(true);
});

const services = makeServices(undefined, { secrets: { TOKEN, MULTI_LINE, IN_PATH, URL_ENCODED } });
const http = (config: Record<string, unknown>) =>
  httpExecutor.execute(stepContext({ id: "call", type: "http" }, config, { services }));

describe("http step error messages mask secrets", () => {
  test("before the body excerpt is cut, so no prefix of a secret is left", async () => {
    const error = await failure(http({ url: `${base}/token-at-cut` }));
    expect(error.code).toBe("HTTP_STATUS");
    expect(error.message).not.toContain("s3cr");
    expect(error.message).toBe(`GET ${base}/token-at-cut answered 401: ${"x".repeat(190)} ***`);
  });

  test("before whitespace is collapsed, so a multi-line secret is found", async () => {
    const error = await failure(http({ url: `${base}/multi-line` }));
    expect(error.message).not.toContain("abc123");
    expect(error.message).toBe(`GET ${base}/multi-line answered 403: bad key: ***`);
  });

  test("a secret in the URL path, raw or percent-encoded", async () => {
    const error = await failure(http({ url: `${base}/status/${IN_PATH}` }));
    for (const form of [IN_PATH, encodeURI(IN_PATH), encodeURIComponent(IN_PATH), "pass%20word"]) {
      expect(error.message).not.toContain(form);
    }
    expect(error.message).toBe(`GET ${base}/status/*** answered 404: Cannot GET /status/***`);
  });

  test("a secret the URL encodes its own way, in the target", async () => {
    const error = await failure(http({ url: `${base}/quiet/${URL_ENCODED}` }));
    expect(error.message).toBe(`GET ${base}/quiet/*** answered 500`);
  });

  test("in a request failure too", async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response() });
    const port = closed.port;
    closed.stop(true);
    const error = await failure(http({ url: `http://127.0.0.1:${port}/${TOKEN}` }));
    expect(error.code).toBe("HTTP_REQUEST_FAILED");
    expect(error.message).toStartWith(`GET http://127.0.0.1:${port}/*** failed:`);
  });
});
