import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { QUICK, startDaemon, type TestDaemon } from "./helpers.ts";

/** An http step on connection "billing", whose two targets are the two receivers below. */
const CHARGE = `name: Charge
steps:
  - id: charge
    type: http
    connection: billing
    config: { method: POST, url: /charge, json: { amount: 5 } }
`;

let d: TestDaemon;
/** Requests each receiver got, with the credential header the connection sent. */
const received: Record<string, (string | null)[]> = { eu: [], us: [] };
const receivers: Server<unknown>[] = [];

function receiver(name: string): Server<unknown> {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      received[name]?.push(request.headers.get("authorization"));
      return Response.json({ ok: true });
    },
  });
  receivers.push(server);
  return server;
}

beforeAll(async () => {
  const eu = receiver("eu");
  const us = receiver("us");
  d = await startDaemon({
    workflows: { "quick.yaml": QUICK, "charge.yaml": CHARGE },
    configure: (config) => {
      config.outbound.allowPrivate = true;
      config.connections = {
        billing: [
          {
            id: "billing-eu",
            baseUrl: `http://127.0.0.1:${eu.port}`,
            headers: { authorization: "Bearer eu" },
          },
          {
            id: "billing-us",
            baseUrl: `http://127.0.0.1:${us.port}`,
            headers: { authorization: "Bearer us" },
          },
        ],
      };
    },
  });
});
afterAll(async () => {
  await d.stop();
  for (const server of receivers) await server.stop(true);
});

async function runCount(workflowId: string): Promise<number> {
  return (await d.call("GET", `/api/v1/workflows/${workflowId}/runs?limit=100`)).json.data.length;
}

describe("connectionId", () => {
  test("a configured target's id sends the step and its credentials there, and is recorded", async () => {
    const { status, json } = await d.call("POST", "/api/v1/workflows/charge/run", {
      body: { connectionId: "billing-us", wait: 10 },
    });
    expect(status).toBe(200);
    expect(json.data).toMatchObject({ status: "completed", connectionId: "billing-us" });
    expect(received).toEqual({ eu: [], us: ["Bearer us"] });
  });

  test("an unknown id is 400 naming connectionId, sends nothing and creates no run", async () => {
    const before = await runCount("charge");
    for (const [path, body] of [
      ["/api/v1/workflows/charge/run", { connectionId: "billing-asia", wait: 10 }],
      ["/api/v1/runs", { workflowId: "charge", connectionId: "billing-asia", wait: 10 }],
    ] as const) {
      const { status, json } = await d.call("POST", path, { body });
      expect(status).toBe(400);
      expect(json.error).toEqual({
        code: "VALIDATION_ERROR",
        message: "Invalid request body: connectionId: is not the id of a connection target in wfd.yaml",
        details: [{ path: ["connectionId"], message: "is not the id of a connection target in wfd.yaml" }],
      });
    }
    // A connection's name is not one of its targets either.
    const byName = await d.call("POST", "/api/v1/workflows/charge/run", {
      body: { connectionId: "billing" },
    });
    expect(byName.status).toBe(400);
    expect(await runCount("charge")).toBe(before);
    expect(received).toEqual({ eu: [], us: ["Bearer us"] });
  });
});

describe("webhookUrl", () => {
  const url = (length: number) => {
    const base = "http://127.0.0.1:9/hook?q=";
    return base + "x".repeat(length - base.length);
  };

  test("a webhookUrl over 2048 characters is 400, like a subscription's url", async () => {
    const before = await runCount("quick");
    const { status, json } = await d.call("POST", "/api/v1/workflows/quick/run", {
      body: { webhookUrl: url(2049) },
    });
    expect(status).toBe(400);
    expect(json.error.code).toBe("VALIDATION_ERROR");
    expect(json.error.details).toEqual([
      { path: ["webhookUrl"], message: "must be at most 2048 characters" },
    ]);
    expect(await runCount("quick")).toBe(before);
    const subscription = await d.call("POST", "/api/v1/webhooks", {
      body: { url: url(2049), events: ["run.completed"] },
    });
    expect(subscription.json.error.details).toEqual(
      json.error.details.map((x: object) => ({ ...x, path: ["url"] })),
    );
  });

  test("a webhookUrl of exactly 2048 characters is stored", async () => {
    const { status, json } = await d.call("POST", "/api/v1/workflows/quick/run", {
      body: { webhookUrl: url(2048), wait: 10 },
    });
    expect(status).toBe(200);
    expect(json.data.webhookUrl).toBe(url(2048));
  });
});

describe("POST /runs input and inputs", () => {
  test("both at once is 400 naming inputs, even when they agree, and creates nothing", async () => {
    const before = await runCount("quick");
    for (const inputs of [{ items: [] }, { items: [{ price: 1 }] }]) {
      const { status, json } = await d.call("POST", "/api/v1/runs", {
        body: { workflowId: "quick", input: { items: [] }, inputs },
      });
      expect(status).toBe(400);
      expect(json.error).toEqual({
        code: "VALIDATION_ERROR",
        message: "Invalid request body: inputs: give either input or inputs, not both",
        details: [{ path: ["inputs"], message: "give either input or inputs, not both" }],
      });
    }
    expect(await runCount("quick")).toBe(before);
  });

  test("either one alone is the run's input", async () => {
    for (const field of ["input", "inputs"]) {
      const { json } = await d.call("POST", "/api/v1/runs", {
        body: { workflowId: "quick", [field]: { items: [{ price: 2 }] }, wait: 10 },
      });
      expect(json.data.input).toEqual({ items: [{ price: 2 }] });
    }
  });
});
