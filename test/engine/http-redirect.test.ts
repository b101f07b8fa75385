import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { EngineServices } from "../../src/core/engine.ts";
import type { StepError } from "../../src/core/errors.ts";
import { httpExecutor } from "../../src/engine/steps/http.ts";
import { MAX_REDIRECTS } from "../../src/engine/steps/http-redirect.ts";
import { deferred, failure, makeServices, stepContext } from "./helpers.ts";

/** What one server saw of one request. */
interface Seen {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

type Server = ReturnType<typeof Bun.serve>;
const servers: Server[] = [];
const seen: Seen[] = [];
const slowArrived = deferred();
const releaseSlow = deferred();

/**
 * Every server answers the same routes: /redirect?status=302&to=<url> redirects (to may be
 * relative), /loop redirects to itself, /slow waits to be released, anything else echoes.
 */
async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const entry: Seen = {
    origin: url.origin,
    path: url.pathname,
    method: request.method,
    headers: Object.fromEntries(request.headers),
    body: await request.text(),
  };
  seen.push(entry);
  switch (url.pathname) {
    case "/redirect":
      return new Response("moving", {
        status: Number(url.searchParams.get("status") ?? 302),
        headers: { location: url.searchParams.get("to") ?? "" },
      });
    case "/loop":
      return new Response(null, { status: 302, headers: { location: "/loop" } });
    case "/no-location":
      return new Response("stay", { status: 302 });
    case "/slow":
      slowArrived.resolve();
      await releaseSlow.promise;
      return new Response("late");
    default:
      return Response.json(entry);
  }
}

let home: string;
let otherHost: string;
let otherPort: string;

beforeAll(() => {
  for (const hostname of ["127.0.0.1", "127.0.0.2", "127.0.0.1"]) {
    servers.push(Bun.serve({ port: 0, hostname, fetch: handle }));
  }
  [home, otherHost, otherPort] = servers.map((server) => `http://${server.hostname}:${server.port}`) as [
    string,
    string,
    string,
  ];
});

afterAll(() => {
  releaseSlow.resolve();
  for (const server of servers) server.stop(true);
});

/** Runs an http step of connection "api" (baseUrl: the home server, with credential headers). */
async function viaConnection(config: Record<string, unknown>, signal?: AbortSignal): Promise<Seen> {
  const services: EngineServices = makeServices(undefined, {
    connections: {
      api: [{ id: "c", baseUrl: home, headers: { "X-Api-Key": "key-123", Authorization: "Bearer tok" } }],
    },
  });
  const context = stepContext({ id: "call", type: "http", connection: "api" }, config, {
    services,
    ...(signal ? { signal } : {}),
  });
  const output = (await httpExecutor.execute(context)) as { body: Seen };
  return output.body;
}

const redirect = (to: string, status = 302) => `/redirect?status=${status}&to=${encodeURIComponent(to)}`;

const CREDENTIALS = ["x-api-key", "authorization", "x-step-token"];

describe("http step redirects", () => {
  test("a redirect to another host or port drops connection headers and the step's own credentials", async () => {
    for (const other of [otherHost, otherPort]) {
      const echoed = await viaConnection({
        method: "POST",
        url: redirect(`${other}/echo`, 307),
        headers: { "X-Step-Token": "step-secret", Accept: "application/json" },
        json: { a: 1 },
      });
      expect(echoed.origin).toBe(other);
      for (const name of CREDENTIALS) expect(echoed.headers[name]).toBeUndefined();
      // 307 keeps method and body; content-type and accept describe them and stay.
      expect(echoed).toMatchObject({ method: "POST", body: '{"a":1}' });
      expect(echoed.headers).toMatchObject({
        "content-type": "application/json",
        accept: "application/json",
      });
    }
  });

  test("a same-origin redirect keeps every header", async () => {
    const echoed = await viaConnection({
      url: redirect("/echo"),
      headers: { "X-Step-Token": "step-secret" },
    });
    expect(echoed.origin).toBe(home);
    expect(echoed.headers).toMatchObject({
      "x-api-key": "key-123",
      authorization: "Bearer tok",
      "x-step-token": "step-secret",
    });
  });

  test("headers dropped on leaving the origin are not restored when a later hop comes back", async () => {
    const echoed = await viaConnection({ url: redirect(`${otherHost}${redirect(`${home}/echo`)}`) });
    expect(echoed.origin).toBe(home);
    for (const name of CREDENTIALS) expect(echoed.headers[name]).toBeUndefined();
  });

  test("303, and 301/302 after a POST, become a GET without body; 307/308 keep both", async () => {
    const cases: Array<[status: number, method: string, expected: string]> = [
      [303, "PUT", "GET"],
      [302, "POST", "GET"],
      [301, "POST", "GET"],
      [302, "PUT", "PUT"],
      [307, "POST", "POST"],
      [308, "PATCH", "PATCH"],
    ];
    for (const [status, method, expected] of cases) {
      const echoed = await viaConnection({ method, url: redirect("/echo", status), json: { n: status } });
      const kept = expected !== "GET";
      expect({ status, method: echoed.method, body: echoed.body }).toEqual({
        status,
        method: expected,
        body: kept ? JSON.stringify({ n: status }) : "",
      });
      expect(echoed.headers["content-type"] ?? null).toBe(kept ? "application/json" : null);
    }
  });

  test(`more than ${MAX_REDIRECTS} redirects fail with HTTP_REQUEST_FAILED`, async () => {
    const before = seen.length;
    const error = await failure(viaConnection({ url: "/loop" }));
    expect(error.code).toBe("HTTP_REQUEST_FAILED");
    expect(error.message).toBe(`GET ${home}/loop failed: more than ${MAX_REDIRECTS} redirects`);
    expect(seen.length - before).toBe(MAX_REDIRECTS + 1);
  });

  test("a redirect to a scheme other than http(s) is not followed", async () => {
    const error = await failure(viaConnection({ url: redirect("file:///etc/passwd") }));
    expect(error.code).toBe("HTTP_REQUEST_FAILED");
    expect(error.message).toBe(
      `GET ${home}/redirect failed: redirected to a file: URL; only http and https are followed`,
    );
  });

  test("a Location that is no URL fails the step", async () => {
    const error = await failure(viaConnection({ url: redirect("http://[not-a-host") }));
    expect(error.code).toBe("HTTP_REQUEST_FAILED");
    expect(error.message).toBe(`GET ${home}/redirect failed: answered 302 with an invalid Location`);
  });

  test("a 3xx without Location is the answer", async () => {
    const output = (await httpExecutor.execute(
      stepContext({ id: "call", type: "http" }, { url: `${home}/no-location`, expectStatus: 302 }),
    )) as { status: number; body: unknown };
    expect(output).toMatchObject({ status: 302, body: "stay" });
  });

  test("the step's signal covers the hops after the first", async () => {
    const controller = new AbortController();
    const pending = viaConnection({ url: redirect(`${otherHost}/slow`) }, controller.signal);
    await slowArrived.promise;
    const reason = new Error("cancelled");
    controller.abort(reason);
    expect(await failure(pending)).toBe(reason as StepError);
  });
});
