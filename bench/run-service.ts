/**
 * Run creation throughput through the run service (input validation, version pinning,
 * idempotency, durable insert): `bun run bench/run-service.ts [runs] [inFlight]`.
 * For synchronous FULL and NORMAL, each with and without group commit, on a fresh temp directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SynchronousMode } from "../src/store/index.ts";
import { benchRuntime } from "./bench-runtime.ts";
import { timeConcurrently } from "./concurrency.ts";

const RUNS = Number(process.argv[2] ?? 10_000);
const IN_FLIGHT = Number(process.argv[3] ?? 50);

const WORKFLOW = `
name: Bench Order
inputSchema:
  type: object
  required: [customerId, items]
  properties:
    customerId: { type: string, pattern: "^cus_[a-zA-Z0-9]+$" }
    items: { type: array, items: { type: object, properties: { quantity: { type: number }, price: { type: number } } } }
    currency: { type: string, default: usd }
steps:
  - id: total
    type: transform
    config: { mapping: { total: "{{ input.items | map: 'quantity * price' | sum }}" } }
`;

async function measure(synchronous: SynchronousMode, groupCommit: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "wfd-bench-runs-"));
  // Not started: this measures acceptance only (validate + commit), as the API's 202 path does.
  const { store, runs } = await benchRuntime(dir, "bench-order", WORKFLOW, { synchronous, groupCommit });
  const seconds = await timeConcurrently(RUNS, IN_FLIGHT, (index) =>
    runs.create({
      workflowId: "bench-order",
      input: { customerId: "cus_123", items: [{ quantity: 2, price: 9.5 }], n: index },
      trigger: { type: "api" },
      idempotencyKey: `key-${index}`,
    }),
  );
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    synchronous,
    groupCommit,
    runs: RUNS,
    inFlight: IN_FLIGHT,
    seconds,
    runsPerSecond: Math.round(RUNS / seconds),
  };
}

const results = [];
for (const synchronous of ["FULL", "NORMAL"] as const) {
  for (const groupCommit of [true, false]) results.push(await measure(synchronous, groupCommit));
}
console.log("synchronous | group commit | seconds | runs/s");
for (const r of results) {
  console.log(
    `${r.synchronous.padEnd(11)} | ${String(r.groupCommit).padEnd(12)} | ${r.seconds.toFixed(2).padStart(7)} | ${r.runsPerSecond}`,
  );
}
console.log(JSON.stringify(results));
