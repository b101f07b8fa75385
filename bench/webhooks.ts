/**
 * Outbound webhooks: `bun run bench/webhooks.ts [deliveries]`.
 *  1. Deliveries per second: that many finished runs wait in the outbox (synchronous=FULL); the
 *     delivery worker sends them to a receiver in another process, at 16 and at 64 in flight.
 *  2. Completion to delivery: runs of a real daemon (in this process) started one at a time with
 *     `wait`; the delay from each run's completedAt to its arrival at the receiver, p50/p99.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashApiKey } from "../src/api/keys.ts";
import { loadConfig } from "../src/daemon/config.ts";
import { Daemon } from "../src/daemon/daemon.ts";
import { DeliveryWorker } from "../src/events/delivery.ts";
import { generateWebhookSecret } from "../src/events/signing.ts";
import { prefixedId } from "../src/lib/ids.ts";
import { silentLogger } from "../src/lib/logger.ts";
import { openSqliteStore } from "../src/store/index.ts";
import { freePort, percentile, stopProcess } from "./harness.ts";

const DELIVERIES = Number(process.argv[2] ?? 5_000);
const LATENCY_RUNS = 300;
const KEY = "wfd_bench_key_0123456789abcdefghijklmnop";
const root = mkdtempSync(join(tmpdir(), "wfd-bench-hooks-"));

/** Starts the receiver process; `arrivals` resolves webhook ids to arrival times as they come. */
async function startReceiver() {
  const port = freePort();
  const child = Bun.spawn(["bun", join(import.meta.dir, "webhook-receiver.ts"), String(port)], {
    stdout: "pipe",
  });
  const arrivals = new Map<string, number>();
  const listeners: Array<() => void> = [];
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    ready = resolve;
  });
  void (async () => {
    let buffer = "";
    for await (const chunk of child.stdout) {
      buffer += new TextDecoder().decode(chunk);
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "ready") ready();
        const [id, at] = line.split(" ");
        if (id && at) arrivals.set(id, Number(at));
      }
      for (const listener of listeners.splice(0)) listener();
    }
  })();
  await started;
  const waitFor = async (count: number) => {
    while (arrivals.size < count) await new Promise<void>((resolve) => listeners.push(resolve));
  };
  return { url: `http://127.0.0.1:${port}/hook`, arrivals, waitFor, stop: () => stopProcess(child) };
}

async function deliveriesPerSecond(url: string, concurrency: number): Promise<number> {
  const store = openSqliteStore({ path: join(root, `outbox-${concurrency}.db`) });
  await store.events.createSubscription({
    id: "wh_bench",
    url,
    events: ["run.completed"],
    description: null,
    source: "api",
    createdAt: new Date().toISOString(),
    secret: generateWebhookSecret(),
  });
  const now = new Date().toISOString();
  await Promise.all(
    Array.from({ length: DELIVERIES }, async () => {
      const id = prefixedId("run");
      const run = {
        id,
        workflowId: "bench",
        workflowVersion: 1,
        versionId: "sha256:bench",
        input: { n: 1 },
        trigger: { type: "api" as const },
        idempotencyKey: null,
        connectionId: null,
        entityType: null,
        entityId: null,
        webhookUrl: null,
        createdAt: now,
      };
      await store.createRun(run);
      await store.finishRun(
        id,
        { status: "completed", output: { n: 1 }, error: null, completedAt: now },
        { notify: true },
      );
    }),
  );
  const worker = new DeliveryWorker({ store: store.events, runSecret: generateWebhookSecret(), concurrency });
  let delivered = 0;
  const done = new Promise<void>((resolve) =>
    worker.events.on("delivery:attempted", ({ status }) => {
      if (status === "delivered" && ++delivered === DELIVERIES) resolve();
    }),
  );
  const started = performance.now();
  worker.start();
  await done;
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  await store.close();
  return DELIVERIES / seconds;
}

async function completionToDelivery(receiver: Awaited<ReturnType<typeof startReceiver>>) {
  mkdirSync(join(root, "workflows"));
  writeFileSync(
    join(root, "workflows", "bench.yaml"),
    "name: Bench\nsteps: [{ id: a, type: transform, config: { mapping: 1 } }]\n",
  );
  const config = loadConfig({ dir: join(root, "workflows"), data: join(root, "daemon") }, root, {});
  config.apiKeys = [
    { name: "bench", hash: hashApiKey(KEY), scopes: ["*"], rateLimit: { execute: 1e9, other: 1e9 } },
  ];
  config.outbound.allowPrivate = true;
  config.webhooks = [{ url: receiver.url, events: ["run.completed"], secret: generateWebhookSecret() }];
  const daemon = new Daemon({ config, logger: silentLogger, port: 0, host: "127.0.0.1" });
  await daemon.start();
  receiver.arrivals.clear();
  const completed: { completedAt: number; eventId?: string }[] = [];
  const eventIds = new Map<string, string>();
  daemon.webhooks.worker.events.on("delivery:attempted", (a) => eventIds.set(a.deliveryId, a.eventId));
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const response = await fetch(`${daemon.url}/api/v1/workflows/bench/run`, {
      method: "POST",
      headers: { "x-api-key": KEY, "content-type": "application/json" },
      body: '{"wait":10}',
    });
    const run = ((await response.json()) as { data: { completedAt: string } }).data;
    completed.push({ completedAt: Date.parse(run.completedAt) });
    await receiver.waitFor(i + 1);
  }
  await daemon.stop();
  const arrivals = [...receiver.arrivals.values()];
  return completed.map((run, index) => (arrivals[index] ?? 0) - run.completedAt);
}

const receiver = await startReceiver();
try {
  const at16 = await deliveriesPerSecond(receiver.url, 16);
  const at64 = await deliveriesPerSecond(receiver.url, 64);
  const delays = await completionToDelivery(receiver);
  const result = {
    deliveries: DELIVERIES,
    deliveriesPerSecond: { concurrency16: Math.round(at16), concurrency64: Math.round(at64) },
    completionToDeliveryMs: {
      runs: delays.length,
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
      max: Math.max(...delays),
    },
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await receiver.stop();
  rmSync(root, { recursive: true, force: true });
}
