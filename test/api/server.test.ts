import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/api/app.ts";
import type { ApiDeps } from "../../src/api/deps.ts";
import { generateApiKey, hashApiKey } from "../../src/api/keys.ts";
import type { DeliveryEvents } from "../../src/core/events.ts";
import type { RunEvents } from "../../src/core/runs.ts";
import { loadConfig } from "../../src/daemon/config.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { TypedEmitter } from "../../src/lib/emitter.ts";
import { createLogger, silentLogger } from "../../src/lib/logger.ts";
import { ADMIN_KEY, SLOW, startDaemon, type TestDaemon } from "./helpers.ts";

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

describe("shutdown", () => {
  test("while shutting down the API answers 503 UNAVAILABLE and readyz is not ready", async () => {
    d = await startDaemon({ workflows: { "slow.yaml": SLOW } });
    const { json } = await d.call("POST", "/api/v1/workflows/slow/run", { body: {} });
    const { runs } = d.daemon.parts;
    if ((await runs.get(json.data.id)).status !== "running") {
      await runs.events.waitFor("run:started", (event) => event.runId === json.data.id);
    }
    const stopping = d.daemon.stop();
    const refused = await d.call("POST", "/api/v1/workflows/slow/run", { body: {} });
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe("UNAVAILABLE");
    expect((await fetch(`${d.url}/readyz`)).status).toBe(503);
    await stopping;
  });
});

describe("links and documents", () => {
  test("endpoint URLs use server.publicUrl when it is set", async () => {
    d = await startDaemon({
      configure: (config) => {
        config.server.publicUrl = "https://wfd.example.com/";
      },
    });
    const { json } = await d.call("GET", "/api/v1/workflows/quick");
    expect(json.data.endpoint).toBe("https://wfd.example.com/api/v1/workflows/quick/run");
  });

  test("openapi.json is OpenAPI 3.1 built from the request schemas", async () => {
    d = await startDaemon();
    // biome-ignore lint/suspicious/noExplicitAny: the document is arbitrary JSON; assertions check its shape
    const document = (await (await fetch(`${d.url}/openapi.json`)).json()) as Record<string, any>;
    expect(document.openapi).toBe("3.1.0");
    const run = document.paths["/api/v1/workflows/{id}/run"].post;
    const body = run.requestBody.content["application/json"].schema;
    expect(body.properties.wait).toMatchObject({ type: "number", maximum: 60 });
    expect(body.additionalProperties).toBe(false);
    expect(run.parameters.map((p: { name: string }) => p.name)).toContain("Idempotency-Key");
    const list = document.paths["/api/v1/runs"].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["workflowId", "status", "from", "to", "limit", "cursor"]),
    );
    expect(
      document.paths["/api/v1/runs"].post.requestBody.content["application/json"].schema.required,
    ).toContain("workflowId");
    // DESIGN §7 lists the document among the routes; it needs no key.
    expect(document.paths["/api/v1/openapi.json"].get.security).toBeUndefined();
  });
});

describe("internal errors", () => {
  test("INTERNAL_ERROR carries no message, stack or secret of the failure", async () => {
    const lines: string[] = [];
    const failing = () => Promise.reject(new Error("db password=hunter2 failed at /srv/secret.ts:12"));
    const deps = {
      runs: {
        events: new TypedEmitter<RunEvents>(),
        create: failing,
        get: failing,
        cancel: failing,
        waitForFinish: failing,
      },
      store: {
        listRuns: failing,
        getLogs: failing,
        listVersions: failing,
        workflowStats: failing,
        countRunsByStatus: failing,
      },
      registry: { list: () => [], get: () => undefined, refreshFile: failing, removeFile: failing },
      webhooks: { list: failing, get: failing, create: failing, delete: failing, deliveries: failing },
      deliveryEvents: new TypedEmitter<DeliveryEvents>(),
      outboundUrlProblem: failing,
      apiKeys: [
        { name: "k", hash: hashApiKey(ADMIN_KEY), scopes: ["*"], rateLimit: { execute: 9, other: 9 } },
      ],
      clock: systemClock,
      bodyLimit: 1000,
      publicUrl: null,
      workflowsDir: tmpdir(),
      accepting: () => true,
    } as unknown as ApiDeps;
    const logger = createLogger({ level: "error", write: (line) => lines.push(line) });
    const app = createApp({ logger, readiness: () => ({}), api: deps });
    const response = await app.request("/api/v1/runs", { headers: { "x-api-key": ADMIN_KEY } });
    expect(response.status).toBe(500);
    const text = await response.text();
    const body = JSON.parse(text);
    expect(body.error.code).toBe("INTERNAL_ERROR");
    expect(body.error.message).toBe("Internal error; see the server log for this request id");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("secret.ts");
    expect(lines.join("\n")).toContain(body.meta.requestId);
  });
});

describe("the default API key", () => {
  test("with no apiKeys, the first start creates one key, prints it once, and stores only its hash", async () => {
    const root = mkdtempSync(join(tmpdir(), "wfd-key-"));
    mkdirSync(join(root, "workflows"));
    const config = loadConfig({ dir: join(root, "workflows"), data: join(root, "data") }, root, {});
    const printed: string[] = [];
    const spy = spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const first = new Daemon({ config, logger: silentLogger, port: 0, host: "127.0.0.1" });
      await first.start();
      await first.stop();
      const second = new Daemon({ config, logger: silentLogger, port: 0, host: "127.0.0.1" });
      await second.start();
      spy.mockRestore();
      expect(printed.length).toBe(1);
      const key = /(wfd_[A-Za-z0-9]{32,})/.exec(printed[0] ?? "")?.[1] as string;
      expect(key).toBeDefined();
      const file = join(root, "data", "api-keys.json");
      const stored = readFileSync(file, "utf8");
      expect(stored).not.toContain(key);
      expect(stored).toContain(hashApiKey(key));
      expect(statSync(file).mode & 0o077).toBe(0);
      const ok = await fetch(`${second.url}/api/v1/workflows`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(ok.status).toBe(200);
      const refused = await fetch(`${second.url}/api/v1/workflows`);
      expect(refused.status).toBe(401);
      await second.stop();
    } finally {
      spy.mockRestore();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("generated keys are wfd_ and 40 base62 characters, each different", () => {
    const keys = new Set(Array.from({ length: 100 }, generateApiKey));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^wfd_[0-9A-Za-z]{40}$/);
  });
});
