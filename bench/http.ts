/**
 * HTTP API throughput against a real daemon on loopback: `bun run bench/http.ts [requests] [inFlight]`.
 * Measures POST /workflows/:id/run (auth, rate limit, body, validation, durable insert) with and
 * without idempotency keys, and GET /runs/:id.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashApiKey } from "../src/api/keys.ts";
import { loadConfig } from "../src/daemon/config.ts";
import { Daemon } from "../src/daemon/daemon.ts";
import { silentLogger } from "../src/lib/logger.ts";
import { timeConcurrently } from "./concurrency.ts";

const REQUESTS = Number(process.argv[2] ?? 5_000);
const IN_FLIGHT = Number(process.argv[3] ?? 50);
const KEY = "wfd_bench_key_0123456789abcdefghijklmnop";

const root = mkdtempSync(join(tmpdir(), "wfd-bench-http-"));
mkdirSync(join(root, "workflows"));
writeFileSync(
  join(root, "workflows", "bench.yaml"),
  "name: Bench\nsteps: [{ id: a, type: transform, config: { mapping: '{{ input.n }}' } }]\n",
);
const config = loadConfig({ dir: join(root, "workflows"), data: join(root, "data") }, root, {});
config.apiKeys = [
  { name: "bench", hash: hashApiKey(KEY), scopes: ["*"], rateLimit: { execute: 1e9, other: 1e9 } },
];
const daemon = new Daemon({ config, logger: silentLogger, port: 0, host: "127.0.0.1" });
await daemon.start();
const headers = { "x-api-key": KEY, "content-type": "application/json" };
const ids: string[] = [];
let latencies: number[] = [];

/** Times one request into `latencies`. */
async function timed(request: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await request();
  latencies.push(performance.now() - started);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function post(index: number, idempotent: boolean): Promise<void> {
  const response = await fetch(`${daemon.url}/api/v1/workflows/bench/run`, {
    method: "POST",
    headers: idempotent ? { ...headers, "Idempotency-Key": `bench-${index}` } : headers,
    body: JSON.stringify({ input: { n: index } }),
  });
  const body = (await response.json()) as { data: { id: string } };
  if (response.status !== 202) throw new Error(`unexpected status ${response.status}`);
  ids.push(body.data.id);
}

function report(name: string, seconds: number): void {
  const rate = Math.round(REQUESTS / seconds);
  const sorted = latencies.sort((a, b) => a - b);
  const p50 = percentile(sorted, 50).toFixed(1);
  const p99 = percentile(sorted, 99).toFixed(1);
  console.log(
    `${name.padEnd(32)} ${rate} req/s (${REQUESTS} in ${seconds.toFixed(2)} s), p50 ${p50} ms, p99 ${p99} ms`,
  );
  latencies = [];
}

try {
  report("POST run", await timeConcurrently(REQUESTS, IN_FLIGHT, (i) => timed(() => post(i, false))));
  report(
    "POST run with Idempotency-Key",
    await timeConcurrently(REQUESTS, IN_FLIGHT, (i) => timed(() => post(i, true))),
  );
  report(
    "GET run",
    await timeConcurrently(REQUESTS, IN_FLIGHT, (i) =>
      timed(() =>
        fetch(`${daemon.url}/api/v1/runs/${ids[i % ids.length]}`, { headers }).then((r) => r.arrayBuffer()),
      ),
    ),
  );
} finally {
  await daemon.stop();
  rmSync(root, { recursive: true, force: true });
}
