import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ADMIN_KEY, QUICK, SLOW, startDaemon, type TestDaemon } from "./helpers.ts";

const DRAFT = `name: Draft
status: draft
steps:
  - id: a
    type: transform
    config: { mapping: 1 }
`;

const STRICT = `name: Strict
inputSchema:
  type: object
  required: [customerId, items]
  properties:
    customerId: { type: string }
    items:
      type: array
      items: { type: object, properties: { price: { type: number } } }
steps:
  - id: a
    type: transform
    config: { mapping: "{{ input.customerId }}" }
`;

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon({
    workflows: { "quick.yaml": QUICK, "slow.yaml": SLOW, "draft.yaml": DRAFT, "strict.yaml": STRICT },
    configure: (config) => {
      config.server.bodyLimit = 2048;
      // The run below names a loopback webhookUrl: nothing may leave this machine.
      config.outbound.allowPrivate = true;
      // The run below names this connection target; its steps never call it.
      config.connections = { api: [{ id: "conn_1", baseUrl: "http://127.0.0.1:9" }] };
    },
  });
});
afterAll(() => d.stop());

describe("starting runs", () => {
  test("a new run is 202 with the pending answer, on every alias", async () => {
    for (const verb of ["run", "execute", "trigger"]) {
      const { status, json } = await d.call("POST", `/api/v1/workflows/slow/${verb}`, {
        body: { input: {} },
      });
      expect(status).toBe(202);
      expect(json.success).toBe(true);
      expect(Object.keys(json.data).sort()).toEqual(
        ["createdAt", "id", "runId", "status", "versionId", "workflowId", "workflowVersion"].sort(),
      );
      expect(json.data).toMatchObject({ status: "pending", workflowId: "slow", workflowVersion: 1 });
      expect(json.data.runId).toBe(json.data.id);
      expect(json.data.id).toMatch(/^run_[0-9A-Z]{26}$/);
      await d.call("POST", `/api/v1/runs/${json.data.id}/cancel`);
    }
  });

  test("a run of only pure steps is answered 202 already finished, and stored so", async () => {
    const { status, json } = await d.call("POST", "/api/v1/workflows/strict/run", {
      body: { input: { customerId: "cus_2", items: [] } },
    });
    expect(status).toBe(202);
    expect(json.data).toMatchObject({ status: "completed", workflowId: "strict" });
    const stored = await d.call("GET", `/api/v1/runs/${json.data.id}`);
    expect(stored.json.data).toMatchObject({ status: "completed", output: "cus_2" });
    expect(stored.json.data.steps).toMatchObject([{ id: "a", status: "completed", attempts: 1 }]);
  });

  test("POST /runs takes workflowId in the body and accepts inputs for input", async () => {
    const { status, json } = await d.call("POST", "/api/v1/runs", {
      body: { workflowId: "strict", inputs: { customerId: "cus_1", items: [] }, wait: 10 },
    });
    expect(status).toBe(200);
    expect(json.data.status).toBe("completed");
    expect(json.data.input).toEqual({ customerId: "cus_1", items: [] });
    expect(json.data.output).toBe("cus_1");
    expect(json.data.trigger).toEqual({ type: "api", apiKey: "admin" });
  });

  test("run fields from the body are recorded on the run", async () => {
    const body = {
      connectionId: "conn_1",
      entityType: "order",
      entityId: "o-1",
      webhookUrl: "http://127.0.0.1:9/hook",
      wait: 10,
    };
    const { json } = await d.call("POST", "/api/v1/workflows/quick/run", { body });
    expect(json.data).toMatchObject({
      connectionId: "conn_1",
      entityType: "order",
      entityId: "o-1",
      webhookUrl: "http://127.0.0.1:9/hook",
    });
  });

  test("an empty body starts a run with an empty input", async () => {
    const response = await fetch(`${d.url}/api/v1/workflows/quick/run`, {
      method: "POST",
      headers: { "x-api-key": "wfd_admin_key_for_tests_0123456789abcdef" },
    });
    expect(response.status).toBe(202);
  });

  test("an unknown workflow is 404, a draft is 400 INVALID_STATUS", async () => {
    const unknown = await d.call("POST", "/api/v1/workflows/nope/run", { body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("NOT_FOUND");
    const draft = await d.call("POST", "/api/v1/workflows/draft/run", { body: {} });
    expect(draft.status).toBe(400);
    expect(draft.json.error).toEqual({
      code: "INVALID_STATUS",
      message: "Workflow must be active to run. Current status: draft",
    });
  });
});

describe("request validation", () => {
  test("input failing inputSchema names each nested field", async () => {
    const { status, json } = await d.call("POST", "/api/v1/workflows/strict/run", {
      body: { input: { items: [{ price: 1 }, { price: "ten" }] } },
    });
    expect(status).toBe(400);
    expect(json.error.code).toBe("VALIDATION_ERROR");
    const paths = json.error.details.map((detail: { path: unknown }) => detail.path);
    expect(paths).toContainEqual(["items", 1, "price"]);
    expect(paths).toContainEqual(["customerId"]);
  });

  test("bad body fields are VALIDATION_ERROR with their path", async () => {
    const { status, json } = await d.call("POST", "/api/v1/workflows/quick/run", {
      body: { wait: 61, webhookUrl: "not a url", extra: true },
    });
    expect(status).toBe(400);
    const paths = json.error.details.map((detail: { path: string[] }) => detail.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["wait", "webhookUrl", "extra"]));
    expect(json.error.details.find((x: { path: string[] }) => x.path[0] === "wait").message).toContain("60");
  });

  test("POST /runs without workflowId is a validation error naming it", async () => {
    const { status, json } = await d.call("POST", "/api/v1/runs", { body: { input: {} } });
    expect(status).toBe(400);
    expect(json.error.details[0].path).toEqual(["workflowId"]);
  });

  test("invalid JSON is 400 VALIDATION_ERROR and creates nothing", async () => {
    const before = await d.call("GET", "/api/v1/runs?workflowId=quick&limit=100");
    const { status, json } = await d.call("POST", "/api/v1/workflows/quick/run", { body: '{"input": ' });
    expect(status).toBe(400);
    expect(json.error.code).toBe("VALIDATION_ERROR");
    expect(json.error.message).toContain("not valid JSON");
    const after = await d.call("GET", "/api/v1/runs?workflowId=quick&limit=100");
    expect(after.json.data.length).toBe(before.json.data.length);
  });

  test("a body over the limit is 413, by Content-Length and by the bytes actually sent", async () => {
    const big = JSON.stringify({ input: { text: "x".repeat(4000) } });
    const declared = await d.call("POST", "/api/v1/workflows/quick/run", { body: big });
    expect(declared.status).toBe(413);
    expect(declared.json.error.code).toBe("PAYLOAD_TOO_LARGE");
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++)
          controller.enqueue(encoder.encode(i === 0 ? big.slice(0, 1000) : "x".repeat(1000)));
        controller.close();
      },
    });
    const chunked = await fetch(`${d.url}/api/v1/workflows/quick/run`, {
      method: "POST",
      headers: {
        "x-api-key": "wfd_admin_key_for_tests_0123456789abcdef",
        "content-type": "application/json",
      },
      body: stream,
    });
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    // In-process (daemon.fetch) a Request may declare less than it holds: its text is checked too.
    const understated = await d.daemon.fetch(
      new Request(`${d.url}/api/v1/workflows/quick/run`, {
        method: "POST",
        headers: { "x-api-key": ADMIN_KEY, "content-type": "application/json", "content-length": "20" },
        body: big,
      }),
    );
    expect(understated.status).toBe(413);
  });

  test("a body just under the limit in multi-byte characters is accepted", async () => {
    // 2048 bytes allowed: 650 three-byte characters are 1,950 bytes of UTF-8 but 650 code units.
    const body = JSON.stringify({ input: { items: [], note: "€".repeat(650) } });
    expect(Buffer.byteLength(body)).toBeLessThan(2048);
    const { status } = await d.call("POST", "/api/v1/workflows/quick/run", { body });
    expect(status).toBe(202);
  });

  test("bad query parameters are 400 with their names", async () => {
    const { status, json } = await d.call("GET", "/api/v1/runs?limit=500&status=done");
    expect(status).toBe(400);
    const paths = json.error.details.map((detail: { path: string[] }) => detail.path[0]);
    expect(paths).toEqual(expect.arrayContaining(["limit", "status"]));
  });

  test("unknown routes are 404 NOT_FOUND in the envelope", async () => {
    const { status, json } = await d.call("GET", "/api/v1/nothing-here");
    expect(status).toBe(404);
    expect(json.error.code).toBe("NOT_FOUND");
  });
});

describe("wait", () => {
  test("wait returns the full finished run with 200", async () => {
    const { status, json } = await d.call("POST", "/api/v1/workflows/quick/run", {
      body: { input: { items: [{ price: 1 }, { price: 2 }] }, wait: 10 },
    });
    expect(status).toBe(200);
    expect(json.data.status).toBe("completed");
    expect(json.data.output).toEqual({ count: 2 });
    expect(json.data.steps[0]).toMatchObject({ id: "total", status: "completed" });
  });

  test("when wait runs out, the pending answer comes back with 202", async () => {
    const { status, json } = await d.call("POST", "/api/v1/workflows/slow/run", { body: { wait: 0.2 } });
    expect(status).toBe(202);
    expect(json.data.status).toBe("pending");
    expect(json.data.steps).toBeUndefined();
    await d.call("POST", `/api/v1/runs/${json.data.id}/cancel`);
  });
});
