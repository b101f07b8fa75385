import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StepError } from "../../src/core/errors.ts";
import { httpExecutor } from "../../src/engine/steps/http.ts";
import { parseExpectStatus } from "../../src/engine/steps/http-request.ts";
import { deferred, failure, makeServices, stepContext } from "./helpers.ts";

type Server = ReturnType<typeof Bun.serve>;
let server: Server;
let base: string;
const slowRequestArrived = deferred();
const releaseSlow = deferred();

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      switch (url.pathname) {
        case "/echo":
        case "/v1/echo":
          return Response.json({
            method: request.method,
            path: url.pathname,
            query: url.search,
            contentType: request.headers.get("content-type"),
            authorization: request.headers.get("authorization"),
            custom: request.headers.get("x-custom"),
            body: await request.text(),
          });
        case "/text":
          return new Response("plain words", { headers: { "content-type": "text/plain", "X-Trace": "t-1" } });
        case "/broken-json":
          return new Response("{not json", { headers: { "content-type": "application/json" } });
        case "/error":
          return new Response("upstream exploded with token sk_live_999", { status: 500 });
        case "/cookies": {
          const headers = new Headers({ "X-Multi": "one" });
          headers.append("X-Multi", "two");
          headers.append("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
          headers.append("Set-Cookie", "b=2");
          return new Response("ok", { headers });
        }
        case "/created":
          return new Response(null, { status: 201 });
        case "/huge":
          return new Response("x".repeat(1024 * 1024 + 10));
        case "/slow":
          slowRequestArrived.resolve();
          await releaseSlow.promise;
          return new Response("late");
        default:
          return new Response("not found", { status: 404 });
      }
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => {
  releaseSlow.resolve();
  server.stop(true);
});

type HttpExtra = Parameters<typeof stepContext>[2] & { connection?: string };
const http = (config: Record<string, unknown>, { connection, ...extra }: HttpExtra = {}) =>
  httpExecutor.execute(
    stepContext({ id: "call", type: "http", ...(connection ? { connection } : {}) }, config, extra),
  );

describe("http step", () => {
  test("GET parses a JSON body and returns status and lower-case headers", async () => {
    const output = (await http({
      url: `${base}/echo`,
      query: { q: "a b", tag: ["x", "y"], skip: null },
    })) as {
      status: number;
      headers: Record<string, string>;
      body: { method: string; query: string };
    };
    expect(output.status).toBe(200);
    expect(output.headers["content-type"]).toContain("application/json");
    expect(output.body.method).toBe("GET");
    expect(output.body.query).toBe("?q=a+b&tag=x&tag=y");
  });

  test("a text body stays text and header names are lower-case", async () => {
    const output = (await http({ url: `${base}/text` })) as {
      body: unknown;
      headers: Record<string, string>;
    };
    expect(output.body).toBe("plain words");
    expect(output.headers["x-trace"]).toBe("t-1");
  });

  test("every Set-Cookie is kept, as a list; other repeated headers are joined", async () => {
    const output = (await http({ url: `${base}/cookies` })) as { headers: Record<string, unknown> };
    expect(output.headers["set-cookie"]).toEqual(["a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT", "b=2"]);
    expect(output.headers["x-multi"]).toBe("one, two");
  });

  test("a JSON content type with a body that does not parse keeps the text", async () => {
    const output = (await http({ url: `${base}/broken-json` })) as { body: unknown };
    expect(output.body).toBe("{not json");
  });

  test("json sends a JSON body with its content type", async () => {
    const output = (await http({ method: "post", url: `${base}/echo`, json: { amount: 5 } })) as {
      body: { method: string; contentType: string; body: string };
    };
    expect(output.body).toMatchObject({
      method: "POST",
      contentType: "application/json",
      body: '{"amount":5}',
    });
  });

  test("form sends url-encoded fields; body sends a string as is", async () => {
    const form = (await http({ method: "POST", url: `${base}/echo`, form: { a: "1 2", b: true } })) as {
      body: { contentType: string; body: string };
    };
    expect(form.body.contentType).toContain("application/x-www-form-urlencoded");
    expect(form.body.body).toBe("a=1+2&b=true");
    const raw = (await http({
      method: "PUT",
      url: `${base}/echo`,
      body: "<xml/>",
      headers: { "Content-Type": "application/xml" },
    })) as { body: { contentType: string; body: string } };
    expect(raw.body).toMatchObject({ contentType: "application/xml", body: "<xml/>" });
  });

  test("an unexpected status fails with HTTP_STATUS, the status and a body excerpt", async () => {
    const error = await failure(http({ url: `${base}/error` }));
    expect(error.code).toBe("HTTP_STATUS");
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(`GET ${base}/error answered 500: upstream exploded with token sk_live_999`);
  });

  test("expectStatus accepts a number, a list or a range", async () => {
    expect(((await http({ url: `${base}/created`, expectStatus: 201 })) as { status: number }).status).toBe(
      201,
    );
    expect(
      ((await http({ url: `${base}/missing`, expectStatus: [200, 404] })) as { status: number }).status,
    ).toBe(404);
    const error = await failure(http({ url: `${base}/created`, expectStatus: "200-200" }));
    expect(error.code).toBe("HTTP_STATUS");
  });

  test("expectStatus forms", () => {
    expect(parseExpectStatus("4xx")(404)).toBe(true);
    expect(parseExpectStatus("4xx")(500)).toBe(false);
    expect(parseExpectStatus(undefined)(299)).toBe(true);
    expect(parseExpectStatus(undefined)(300)).toBe(false);
    expect(() => parseExpectStatus("ok")).toThrow("config.expectStatus must be");
    expect(() => parseExpectStatus("300-200")).toThrow("config.expectStatus must be");
    expect(() => parseExpectStatus([])).toThrow("config.expectStatus must not be empty");
  });

  test("a relative url goes to the connection, with its headers under the step's", async () => {
    const services = makeServices(undefined, {
      connections: {
        api: [
          { id: "conn_default", baseUrl: "http://127.0.0.1:1/", headers: { Authorization: "Bearer wrong" } },
          {
            id: "conn_test",
            baseUrl: `${base}/v1/`,
            headers: { Authorization: "Bearer abc", "X-Custom": "conn" },
          },
        ],
      },
    });
    const output = (await http(
      { url: "/echo", headers: { "x-custom": "step" } },
      { services, connectionId: "conn_test", connection: "api" },
    )) as { body: { path: string; authorization: string; custom: string } };
    expect(output.body).toEqual(
      expect.objectContaining({ path: "/v1/echo", authorization: "Bearer abc", custom: "step" }),
    );
  });

  test("connection headers are not sent to an absolute url on another origin", async () => {
    const services = makeServices(undefined, {
      connections: {
        api: [{ id: "c", baseUrl: "https://api.example.com", headers: { Authorization: "Bearer abc" } }],
      },
    });
    const output = (await http({ url: `${base}/echo` }, { services, connection: "api" })) as {
      body: { authorization: string | null };
    };
    expect(output.body.authorization).toBeNull();
  });

  test("bad config fails with INVALID_CONFIG, not retryable", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { url: "/relative" },
        'config.url "/relative" is not an absolute URL and the step names no connection',
      ],
      [{}, "config.url is required"],
      [{ url: "ftp://x.example/file" }, "is not an http or https URL"],
      [{ url: `${base}/echo`, json: {}, body: "x" }, "only one of json, body and form"],
      [{ url: `${base}/echo`, body: { a: 1 } }, "config.body must be a string"],
      [{ url: `${base}/echo`, headers: "x" }, "config.headers must be an object"],
      [{ url: `${base}/echo`, method: "GET X" }, "is not an HTTP method"],
      [
        { url: `${base}/echo`, json: { a: 1 } },
        "config.json cannot be sent with a GET request (a GET request has no body); set config.method, such as POST",
      ],
      [{ url: `${base}/echo`, method: "head", body: "x" }, "config.body cannot be sent with a HEAD request"],
      [
        { url: `${base}/echo`, method: "GET", form: { a: 1 } },
        "config.form cannot be sent with a GET request",
      ],
    ];
    for (const [config, message] of cases) {
      const error = await failure(http(config));
      expect(error.code).toBe("INVALID_CONFIG");
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(message);
    }
    const unknown = await failure(http({ url: "/x" }, { connection: "nope" }));
    expect(unknown.message).toBe('connection "nope" is not defined in wfd.yaml');
  });

  test("a network error fails with HTTP_REQUEST_FAILED", async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response() });
    const port = closed.port;
    closed.stop(true);
    const error = await failure(http({ url: `http://127.0.0.1:${port}/x?token=secret` }));
    expect(error.code).toBe("HTTP_REQUEST_FAILED");
    expect(error.message).toStartWith(`GET http://127.0.0.1:${port}/x failed:`);
  });

  test("a body over 1 MiB fails with OUTPUT_TOO_LARGE", async () => {
    const error = await failure(http({ url: `${base}/huge` }));
    expect(error.code).toBe("OUTPUT_TOO_LARGE");
    expect(error.retryable).toBe(false);
  });

  test("aborting the step's signal aborts the request with the signal's reason", async () => {
    const controller = new AbortController();
    const pending = http({ url: `${base}/slow` }, { signal: controller.signal });
    await slowRequestArrived.promise;
    const reason = new Error("stop now");
    controller.abort(reason);
    expect(await failure(pending)).toBe(reason as StepError);
  });
});
