import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ADMIN_KEY, QUICK, startDaemon, type TestDaemon } from "./helpers.ts";

/** Echoes its input back through a template, so deep values go through liquid, the store and JSON. */
const ECHO = `name: Echo
inputSchema: { type: object, required: [x] }
steps:
  - id: echo
    type: transform
    config: { mapping: { same: "{{ input.x }}", text: "{{ input.x | json }}" } }
`;

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon({
    workflows: { "quick.yaml": QUICK, "echo.yaml": ECHO },
    configure: (config) => {
      config.server.bodyLimit = 1_000_000;
    },
  });
});
afterAll(() => d.stop());

/** `levels` arrays nested in each other, the innermost holding `inner` (none when undefined). */
function nested(levels: number, inner?: unknown): unknown {
  let value: unknown = inner === undefined ? [] : [inner];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

/** POSTs raw bytes, a string, or a stream (sent chunked, without Content-Length). */
async function post(path: string, body: string | Uint8Array | ReadableStream<Uint8Array>) {
  const response = await fetch(`${d.url}${path}`, {
    method: "POST",
    headers: { "x-api-key": ADMIN_KEY, "content-type": "application/json" },
    body,
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary JSON answers; assertions check the shapes
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes.subarray(0, 5));
      controller.enqueue(bytes.subarray(5));
      controller.close();
    },
  });
}

async function runCount(): Promise<number> {
  let count = 0;
  for (const id of ["quick", "echo"]) {
    count += (await d.call("GET", `/api/v1/workflows/${id}/runs?limit=100`)).json.data.length;
  }
  return count;
}

describe("nesting", () => {
  test("a body nested far too deeply is 400 on every route that takes one, and creates nothing", async () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const before = await runCount();
    for (const [path, body] of [
      ["/api/v1/workflows/echo/run", `{"input":{"x":${deep}}}`],
      ["/api/v1/runs", `{"workflowId":"echo","input":{"x":${deep}}}`],
      ["/api/v1/workflows", `{"id":"deep","name":"Deep","steps":${deep}}`],
      ["/api/v1/webhooks", `{"url":"https://example.com/","events":${deep}}`],
    ]) {
      const { status, json } = await post(path as string, body as string);
      expect(status).toBe(400);
      expect(json.error).toEqual({
        code: "VALIDATION_ERROR",
        message: "Request body is nested more than 100 levels deep",
        details: [{ path: [], message: "must nest objects and arrays at most 100 levels deep" }],
      });
    }
    expect(await runCount()).toBe(before);
    expect((await d.call("GET", "/api/v1/workflows/deep")).status).toBe(404);
  });

  test("101 levels in the shortest text that holds them are refused", async () => {
    // The body object, then 100 arrays: 202 characters of brackets, the least that can nest 101.
    const { status, json } = await post(
      "/api/v1/workflows/echo/run",
      `{"input":${JSON.stringify(nested(100))}}`,
    );
    expect(status).toBe(400);
    expect(json.error.message).toBe("Request body is nested more than 100 levels deep");
  });

  test("an input at the limit runs through templates and the store and comes back intact", async () => {
    // Levels: the body, input, 97 arrays and the object in the innermost: 100.
    const x = nested(97, { name: "deepest" });
    const { status, json } = await d.call("POST", "/api/v1/workflows/echo/run", {
      body: { input: { x }, idempotencyKey: "deep-1", wait: 10 },
    });
    expect(status).toBe(200);
    expect(json.data.status).toBe("completed");
    expect(json.data.input).toEqual({ x });
    expect(json.data.output).toEqual({ same: x, text: JSON.stringify(x) });
    const replay = await d.call("POST", "/api/v1/workflows/echo/run", {
      body: { input: { x }, idempotencyKey: "deep-1" },
    });
    expect(replay.status).toBe(200);
    expect(replay.json.data.id).toBe(json.data.id);
  });

  test("a workflow written as JSON at the limit is stored as YAML, loads and runs", async () => {
    // Levels: the body, steps, the step, config, then 96 arrays: 100.
    const mapping = nested(96, "{{ input.n }}");
    const created = await d.call("POST", "/api/v1/workflows", {
      body: {
        id: "deep-mapping",
        name: "Deep",
        steps: [{ id: "a", type: "transform", config: { mapping } }],
      },
    });
    expect(created.status).toBe(201);
    const { json } = await d.call("POST", "/api/v1/workflows/deep-mapping/run", {
      body: { input: { n: 7 }, wait: 10 },
    });
    expect(json.data.status).toBe("completed");
    expect(json.data.output).toEqual(nested(96, 7));
  });
});

describe("body type", () => {
  test("a body that is JSON but not an object is 400 and creates nothing", async () => {
    const before = await runCount();
    for (const path of ["/api/v1/workflows/quick/run", "/api/v1/runs"]) {
      for (const body of ["[]", "null", "[1,2]", '"quick"', "42", "true"]) {
        const { status, json } = await post(path, body);
        expect(status).toBe(400);
        expect(json.error).toEqual({
          code: "VALIDATION_ERROR",
          message: "Request body must be a JSON object",
          details: [{ path: [], message: "must be a JSON object" }],
        });
      }
    }
    expect(await runCount()).toBe(before);
  });

  test("an empty or blank body still starts a run with an empty input", async () => {
    for (const body of ["", "  \n"]) {
      const { status, json } = await post("/api/v1/workflows/quick/run", body);
      expect(status).toBe(202);
      const run = await d.call("GET", `/api/v1/runs/${json.data.id}`);
      expect(run.json.data.input).toEqual({});
    }
  });
});

describe("encoding", () => {
  const latin1 = Uint8Array.from([
    ...new TextEncoder().encode('{"input":{"x":"J'),
    0xe9,
    0x72,
    0xf4,
    ...new TextEncoder().encode('me"}}'),
  ]);
  // Three bytes of a four-byte character: decoded leniently they become one U+FFFD, also three bytes.
  const truncated = Uint8Array.from([
    ...new TextEncoder().encode('{"input":{"x":"'),
    0xf0,
    0x9f,
    0x98,
    ...new TextEncoder().encode('A"}}'),
  ]);

  test("a body that is not UTF-8 is 400, with or without Content-Length, and creates nothing", async () => {
    const before = await runCount();
    for (const bytes of [latin1, truncated]) {
      for (const body of [bytes, streamOf(bytes)]) {
        const { status, json } = await post("/api/v1/workflows/echo/run", body);
        expect(status).toBe(400);
        expect(json.error).toEqual({
          code: "VALIDATION_ERROR",
          message: "Request body is not valid UTF-8",
          details: [{ path: [], message: "must be UTF-8 encoded" }],
        });
      }
    }
    expect(await runCount()).toBe(before);
  });

  test("UTF-8 text, a U+FFFD the caller meant included, is stored exactly as sent", async () => {
    const x = "Jérôme \uFFFD 😀 €";
    const bytes = new TextEncoder().encode(JSON.stringify({ input: { x }, wait: 10 }));
    for (const body of [bytes, streamOf(bytes)]) {
      const { status, json } = await post("/api/v1/workflows/echo/run", body);
      expect(status).toBe(200);
      expect(json.data.input).toEqual({ x });
      expect(json.data.output.same).toBe(x);
    }
  });
});
