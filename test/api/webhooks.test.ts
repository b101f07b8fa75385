import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { keyEntry, QUICK, startDaemon, type TestDaemon } from "./helpers.ts";

const READER = "wfd_hooks_reader_000000000000000000000000";
const CONFIG_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface RunEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

const received: Received[] = [];
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    received.push({
      path: new URL(request.url).pathname,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    });
    return new Response(null, { status: 204 });
  },
});
const hookUrl = (path: string) => `http://127.0.0.1:${receiver.port}${path}`;

const FAILS = "name: Fails\nsteps: [{ id: boom, type: fail, config: { message: nope } }]\n";
// Executed by the step executor (not at creation): its steps are checkpointed as they run.
const SHELL = `name: Shell
steps:
  - { id: greet, type: shell, config: { run: "echo hi" } }
  - { id: shout, type: shell, config: { run: "echo HI" } }
`;

let d: TestDaemon;
let strict: TestDaemon;

beforeAll(async () => {
  d = await startDaemon({
    workflows: { "quick.yaml": QUICK, "fails.yaml": FAILS, "shell.yaml": SHELL },
    keys: [keyEntry("reader", READER, ["webhooks:read"])],
    configure: (config) => {
      config.outbound.allowPrivate = true;
      config.webhooks = [{ url: hookUrl("/config"), events: ["run.failed"], secret: CONFIG_SECRET }];
    },
  });
  strict = await startDaemon({ workflows: { "quick.yaml": QUICK } });
});
afterAll(async () => {
  await d.stop();
  await strict.stop();
  await receiver.stop(true);
});

/** Starts a run and resolves once every delivery it causes has been attempted `count` times. */
async function runAndDeliver(
  daemon: TestDaemon,
  body: Record<string, unknown>,
  count: number,
  workflowId = "quick",
) {
  const worker = daemon.daemon.webhooks.worker;
  const attempts: unknown[] = [];
  const done = new Promise<void>((resolve) => {
    const off = worker.events.on("delivery:attempted", (attempt) => {
      attempts.push(attempt);
      if (attempts.length === count) {
        off();
        resolve();
      }
    });
  });
  const { json } = await daemon.call("POST", `/api/v1/workflows/${workflowId}/run`, {
    body: { ...body, wait: 10 },
  });
  await done;
  return json.data;
}

describe("subscriptions API", () => {
  test("POST /webhooks returns the secret once; listing and reading never show it", async () => {
    const created = await d.call("POST", "/api/v1/webhooks", {
      body: { url: hookUrl("/a"), events: ["run.completed"], description: "billing" },
    });
    expect(created.status).toBe(201);
    expect(created.json.data).toMatchObject({
      url: hookUrl("/a"),
      events: ["run.completed"],
      source: "api",
      description: "billing",
    });
    expect(created.json.data.id).toMatch(/^wh_/);
    const secret: string = created.json.data.secret;
    expect(secret).toMatch(/^whsec_/);

    const list = await d.call("GET", "/api/v1/webhooks", { key: READER });
    expect(list.status).toBe(200);
    expect(list.json.data.map((s: { id: string }) => s.id)).toContain(created.json.data.id);
    expect(list.json.data.find((s: { source: string }) => s.source === "config")).toMatchObject({
      events: ["run.failed"],
    });
    const one = await d.call("GET", `/api/v1/webhooks/${created.json.data.id}`, { key: READER });
    for (const text of [JSON.stringify(list.json), JSON.stringify(one.json)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(CONFIG_SECRET);
      expect(text).not.toContain('"secret"');
    }
    await d.call("DELETE", `/api/v1/webhooks/${created.json.data.id}`);
  });

  test("the event of a run whose steps ran one by one holds every step as finally stored", async () => {
    const created = await d.call("POST", "/api/v1/webhooks", {
      body: { url: hookUrl("/steps"), events: ["workflow.executed"] },
    });
    const run = await runAndDeliver(d, {}, 1, "shell");
    const request = received.find((r) => r.path === "/steps");
    if (!request) throw new Error("the receiver got nothing");
    const event = new Webhook(created.json.data.secret).verify(request.body, request.headers) as RunEvent;
    expect(run.steps.map((step: { status: string }) => step.status)).toEqual(["completed", "completed"]);
    expect(event.data).toEqual(run);
    expect(event.data).toEqual((await d.call("GET", `/api/v1/runs/${run.id}`)).json.data);
    await d.call("DELETE", `/api/v1/webhooks/${created.json.data.id}`);
  });

  test("a finished run is delivered to its subscription, signed, and listed with its attempts", async () => {
    const created = await d.call("POST", "/api/v1/webhooks", {
      body: { url: hookUrl("/b"), events: ["workflow.executed"] },
    });
    const run = await runAndDeliver(d, { input: { items: [] } }, 1);
    const request = received.find((r) => r.path === "/b");
    if (!request) throw new Error("the receiver got nothing");
    const event = new Webhook(created.json.data.secret).verify(request.body, request.headers) as RunEvent;
    expect(event.type).toBe("workflow.executed");
    expect(event.data).toEqual(run);

    const deliveries = await d.call("GET", `/api/v1/webhooks/${created.json.data.id}/deliveries`, {
      key: READER,
    });
    expect(deliveries.status).toBe(200);
    expect(deliveries.json.data).toHaveLength(1);
    expect(deliveries.json.data[0]).toMatchObject({
      eventId: event.id,
      eventType: "workflow.executed",
      status: "delivered",
    });
    expect(deliveries.json.data[0].attempts).toMatchObject([{ statusCode: 204, error: null }]);
    expect(deliveries.json.meta).toMatchObject({ limit: 20, hasMore: false, nextCursor: null });
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(metrics).toMatch(/^wfd_webhook_deliveries_total\{result="delivered"\} [1-9]/m);
    const openapi = (await d.call("GET", "/api/v1/openapi.json", { key: null })).json;
    expect(Object.keys(openapi.paths)).toContain("/api/v1/webhooks/{id}/deliveries");
    await d.call("DELETE", `/api/v1/webhooks/${created.json.data.id}`);
  });

  test("a run's webhookUrl receives the finished run, signed with the data directory's secret", async () => {
    const run = await runAndDeliver(d, { input: { items: [] }, webhookUrl: hookUrl("/own") }, 1);
    const request = received.find((r) => r.path === "/own");
    if (!request) throw new Error("the receiver got nothing");
    const secret = readFileSync(join(d.config.dataDir, "webhook-secret"), "utf8").trim();
    const event = new Webhook(secret).verify(request.body, request.headers) as RunEvent;
    expect(event).toMatchObject({ type: "run.completed", data: { id: run.id, status: "completed" } });
  });

  test("a failed run is published on the bus and delivered to the config subscription for run.failed", async () => {
    const bus = d.daemon.webhooks.bus;
    const published = Promise.all([bus.waitFor("run.failed"), bus.waitFor("workflow.executed")]);
    const delivered = d.daemon.webhooks.worker.events.waitFor(
      "delivery:attempted",
      (a) => a.url === hookUrl("/config"),
    );
    const { json } = await d.call("POST", "/api/v1/runs", { body: { workflowId: "fails", wait: 10 } });
    expect(json.data.status).toBe("failed");
    const [failed, executed] = await published;
    expect(failed.id).toBe(json.data.id);
    expect(executed.id).toBe(json.data.id);
    expect((await delivered).status).toBe("delivered");
    const request = received.find((r) => r.path === "/config");
    if (!request) throw new Error("the receiver got nothing");
    const event = new Webhook(CONFIG_SECRET).verify(request.body, request.headers) as RunEvent;
    expect(event).toMatchObject({ type: "run.failed", data: { id: json.data.id, error: { code: "FAIL" } } });
  });

  test("deleting: API subscriptions go, config ones are INVALID_STATUS, unknown ones NOT_FOUND", async () => {
    const created = await d.call("POST", "/api/v1/webhooks", {
      body: { url: hookUrl("/c"), events: ["run.failed"] },
    });
    const deleted = await d.call("DELETE", `/api/v1/webhooks/${created.json.data.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json.data).toEqual({ id: created.json.data.id, deleted: true });
    expect((await d.call("GET", `/api/v1/webhooks/${created.json.data.id}`)).status).toBe(404);
    expect((await d.call("DELETE", `/api/v1/webhooks/${created.json.data.id}`)).json.error.code).toBe(
      "NOT_FOUND",
    );
    expect((await d.call("GET", "/api/v1/webhooks/wh_nope/deliveries")).status).toBe(404);
    const configured = (await d.call("GET", "/api/v1/webhooks")).json.data.find(
      (s: { source: string }) => s.source === "config",
    );
    const refused = await d.call("DELETE", `/api/v1/webhooks/${configured.id}`);
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe("INVALID_STATUS");
    expect(refused.json.error.message).toContain("wfd.yaml");
  });

  test("bad bodies are VALIDATION_ERROR naming each field, and create nothing", async () => {
    const before = (await d.call("GET", "/api/v1/webhooks")).json.data.length;
    const cases: [unknown, string][] = [
      [{ url: "not a url", events: ["run.completed"] }, "url"],
      [{ url: hookUrl("/x"), events: [] }, "events"],
      [{ url: hookUrl("/x"), events: ["run.exploded"] }, "events"],
      [{ url: hookUrl("/x"), events: ["run.completed"], secret: "plain" }, "secret"],
      [{ url: "ftp://127.0.0.1/x", events: ["run.completed"] }, "url"],
      [{ url: hookUrl("/x"), events: ["run.completed"], extra: 1 }, "extra"],
    ];
    for (const [body, field] of cases) {
      const { status, json } = await d.call("POST", "/api/v1/webhooks", { body });
      expect(status).toBe(400);
      expect(json.error.code).toBe("VALIDATION_ERROR");
      expect(json.error.details[0].path[0]).toBe(field);
    }
    expect((await d.call("GET", "/api/v1/webhooks")).json.data.length).toBe(before);
  });

  test("scopes: webhooks:read lists but cannot create or delete", async () => {
    expect((await d.call("GET", "/api/v1/webhooks", { key: READER })).status).toBe(200);
    const post = await d.call("POST", "/api/v1/webhooks", {
      key: READER,
      body: { url: hookUrl("/z"), events: ["run.completed"] },
    });
    expect(post.status).toBe(403);
    expect((await d.call("DELETE", "/api/v1/webhooks/wh_any", { key: READER })).status).toBe(403);
    expect((await d.call("GET", "/api/v1/webhooks", { key: null })).status).toBe(401);
  });
});

describe("private addresses", () => {
  test("without outbound.allowPrivate, loopback and private URLs are refused with 400 and nothing is created", async () => {
    for (const url of [
      "http://127.0.0.1:9/hook",
      "http://localhost/hook",
      "http://10.0.0.8/hook",
      "http://[::1]/hook",
    ]) {
      const run = await strict.call("POST", "/api/v1/workflows/quick/run", { body: { webhookUrl: url } });
      expect(run.status).toBe(400);
      const viaRuns = await strict.call("POST", "/api/v1/runs", {
        body: { workflowId: "quick", webhookUrl: url },
      });
      expect(viaRuns.status).toBe(400);
      expect(viaRuns.json.error.details[0].path).toEqual(["webhookUrl"]);
      expect(run.json.error.code).toBe("VALIDATION_ERROR");
      expect(run.json.error.details[0].path).toEqual(["webhookUrl"]);
      expect(run.json.error.message).toContain("outbound.allowPrivate");
      const hook = await strict.call("POST", "/api/v1/webhooks", {
        body: { url, events: ["run.completed"] },
      });
      expect(hook.status).toBe(400);
      expect(hook.json.error.details[0].path).toEqual(["url"]);
    }
    expect((await strict.call("GET", "/api/v1/runs")).json.data).toEqual([]);
    expect((await strict.call("GET", "/api/v1/webhooks")).json.data).toEqual([]);
  });
});

// After "private addresses", which expects the strict daemon to hold no runs.
describe("waking the delivery worker", () => {
  test("a finished run that nobody receives does not wake the delivery worker", async () => {
    const { worker, bus } = strict.daemon.webhooks;
    let wakes = 0;
    const notify = worker.notify;
    worker.notify = () => {
      wakes++;
      notify.call(worker);
    };
    try {
      const executed = bus.waitFor("workflow.executed");
      const { json } = await strict.call("POST", "/api/v1/workflows/quick/run", {
        body: { input: { items: [] }, wait: 10 },
      });
      expect(json.data.status).toBe("completed");
      await executed;
      // The subscriber check settles in microtasks, all drained before the next macrotask.
      await new Promise((resolve) => setImmediate(resolve));
      expect(wakes).toBe(0);
      expect(await strict.daemon.parts.store.events.hasSubscribersFor("completed")).toBe(false);
      expect(await d.daemon.parts.store.events.hasSubscribersFor("failed")).toBe(true);
    } finally {
      worker.notify = notify;
    }
  });
});
