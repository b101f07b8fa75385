import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { keyEntry, QUICK, startDaemon, type TestDaemon } from "./helpers.ts";

const READER = "wfd_reader_key_000000000000000000000000";
const RUNNER = "wfd_runner_key_000000000000000000000000";
const ORDERS = "wfd_orders_key_000000000000000000000000";
const LIMITED = "wfd_limited_key_00000000000000000000000";
const START = Date.parse("2026-01-01T00:00:10.000Z");

let d: TestDaemon;
const clock = new ManualClock(START);

beforeAll(async () => {
  d = await startDaemon({
    clock,
    workflows: { "quick.yaml": QUICK, "orders-new.yaml": QUICK, "billing.yaml": QUICK },
    keys: [
      keyEntry("reader", READER, ["workflows:read", "runs:read"]),
      keyEntry("runner", RUNNER, ["workflows:execute"]),
      keyEntry("orders", ORDERS, ["*"], { workflows: ["orders-*"] }),
      keyEntry("limited", LIMITED, ["*"], { rateLimit: { execute: 2, other: 3 } }),
    ],
  });
});
afterAll(() => d.stop());

describe("authentication", () => {
  test("a missing key is 401 UNAUTHORIZED in the error envelope, with a request id", async () => {
    const { status, json, headers } = await d.call("GET", "/api/v1/workflows", { key: null });
    expect(status).toBe(401);
    expect(json.success).toBe(false);
    expect(json.error.code).toBe("UNAUTHORIZED");
    expect(json.meta.requestId).toBe(headers.get("x-request-id") as string);
    expect(headers.get("x-ratelimit-limit")).toBeNull();
  });

  test("an unknown key is 401, and the key is not echoed back", async () => {
    const { status, json } = await d.call("GET", "/api/v1/workflows", { key: "wfd_wrong_key" });
    expect(status).toBe(401);
    expect(JSON.stringify(json)).not.toContain("wfd_wrong_key");
  });

  test("x-api-key and Authorization: Bearer both authenticate", async () => {
    const viaHeader = await d.call("GET", "/api/v1/workflows", { key: READER });
    const viaBearer = await d.call("GET", "/api/v1/workflows", {
      key: null,
      headers: { authorization: `Bearer ${READER}` },
    });
    expect(viaHeader.status).toBe(200);
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.json.data.length).toBe(3);
  });

  test("a malformed Authorization header is 401", async () => {
    const { status } = await d.call("GET", "/api/v1/workflows", {
      key: null,
      headers: { authorization: `Basic ${READER}` },
    });
    expect(status).toBe(401);
  });
});

describe("scopes", () => {
  test("a key without workflows:execute cannot start runs", async () => {
    const { status, json } = await d.call("POST", "/api/v1/workflows/quick/run", { key: READER, body: {} });
    expect(status).toBe(403);
    expect(json.error.code).toBe("FORBIDDEN");
    expect(json.error.message).toContain("workflows:execute");
  });

  test("a key with only workflows:execute cannot read runs, cancel or write workflows", async () => {
    const started = await d.call("POST", "/api/v1/workflows/quick/run", { key: RUNNER, body: {} });
    expect(started.status).toBe(202);
    const id = started.json.data.id;
    expect((await d.call("GET", `/api/v1/runs/${id}`, { key: RUNNER })).status).toBe(403);
    expect((await d.call("GET", "/api/v1/runs", { key: RUNNER })).status).toBe(403);
    expect((await d.call("POST", `/api/v1/runs/${id}/cancel`, { key: RUNNER })).status).toBe(403);
    expect((await d.call("GET", "/api/v1/workflows", { key: RUNNER })).status).toBe(403);
    const write = await d.call("DELETE", "/api/v1/workflows/quick", { key: RUNNER });
    expect(write.status).toBe(403);
    expect(write.json.error.message).toContain("workflows:write");
  });

  test("a reader reads runs and workflows but cannot cancel or write", async () => {
    const started = await d.call("POST", "/api/v1/workflows/quick/run", { body: {} });
    const id = started.json.data.id;
    expect((await d.call("GET", `/api/v1/runs/${id}`, { key: READER })).status).toBe(200);
    expect((await d.call("GET", "/api/v1/workflows/quick", { key: READER })).status).toBe(200);
    expect((await d.call("POST", `/api/v1/runs/${id}/cancel`, { key: READER })).json.error.code).toBe(
      "FORBIDDEN",
    );
    const write = await d.call("PATCH", "/api/v1/workflows/quick", {
      key: READER,
      body: { status: "draft" },
    });
    expect(write.status).toBe(403);
  });
});

describe("workflow allow-list", () => {
  test("a key limited to orders-* runs orders-new but not billing", async () => {
    const allowed = await d.call("POST", "/api/v1/workflows/orders-new/run", { key: ORDERS, body: {} });
    expect(allowed.status).toBe(202);
    const refused = await d.call("POST", "/api/v1/workflows/billing/run", { key: ORDERS, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toContain('"billing"');
    const viaRuns = await d.call("POST", "/api/v1/runs", { key: ORDERS, body: { workflowId: "billing" } });
    expect(viaRuns.status).toBe(403);
  });

  test("it lists only allowed workflows and cannot read other workflows' runs", async () => {
    const list = await d.call("GET", "/api/v1/workflows", { key: ORDERS });
    expect(list.json.data.map((w: { id: string }) => w.id)).toEqual(["orders-new"]);
    const other = await d.call("POST", "/api/v1/workflows/billing/run", { body: {} });
    expect((await d.call("GET", `/api/v1/runs/${other.json.data.id}`, { key: ORDERS })).status).toBe(403);
    expect((await d.call("GET", "/api/v1/workflows/billing/runs", { key: ORDERS })).status).toBe(403);
    expect((await d.call("GET", "/api/v1/runs?workflowId=orders-new", { key: ORDERS })).status).toBe(200);
    const unfiltered = await d.call("GET", "/api/v1/runs", { key: ORDERS });
    expect(unfiltered.status).toBe(403);
    expect(unfiltered.json.error.message).toContain("workflowId");
  });
});

describe("rate limits", () => {
  test("each key has separate per-minute budgets for execute and other requests", async () => {
    const resetAt = String(Date.parse("2026-01-01T00:01:00.000Z") / 1000);
    for (const remaining of ["2", "1", "0"]) {
      const { status, headers } = await d.call("GET", "/api/v1/workflows", { key: LIMITED });
      expect(status).toBe(200);
      expect(headers.get("x-ratelimit-limit")).toBe("3");
      expect(headers.get("x-ratelimit-remaining")).toBe(remaining);
      expect(headers.get("x-ratelimit-reset")).toBe(resetAt);
    }
    const limited = await d.call("GET", "/api/v1/workflows", { key: LIMITED });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe("RATE_LIMITED");
    expect(limited.headers.get("retry-after")).toBe("50");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");

    // The execute budget is separate and still untouched.
    const run = await d.call("POST", "/api/v1/workflows/quick/run", { key: LIMITED, body: {} });
    expect(run.status).toBe(202);
    expect(run.headers.get("x-ratelimit-limit")).toBe("2");
    expect(run.headers.get("x-ratelimit-remaining")).toBe("1");
    expect(
      (await d.call("POST", "/api/v1/runs", { key: LIMITED, body: { workflowId: "quick" } })).status,
    ).toBe(202);
    const third = await d.call("POST", "/api/v1/workflows/quick/trigger", { key: LIMITED, body: {} });
    expect(third.status).toBe(429);

    // Other keys are not affected.
    expect((await d.call("GET", "/api/v1/workflows", { key: READER })).status).toBe(200);

    await clock.advance(50_000);
    const next = await d.call("GET", "/api/v1/workflows", { key: LIMITED });
    expect(next.status).toBe(200);
    expect(next.headers.get("x-ratelimit-remaining")).toBe("2");
  });
});

describe("endpoints without authentication", () => {
  test("healthz, readyz, metrics and openapi.json need no key", async () => {
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${d.url}/readyz`)).status).toBe(200);
    const metrics = await fetch(`${d.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    const openapi = await fetch(`${d.url}/api/v1/openapi.json`);
    expect(openapi.status).toBe(200);
  });
});
