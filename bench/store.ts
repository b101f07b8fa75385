/**
 * Run creation throughput of the SQLite store: `bun run bench/store.ts [runs] [inFlight]`.
 * Creates runs through createRun with a fixed number of calls in flight, for synchronous FULL and
 * NORMAL, each with and without group commit, on a fresh file in a temporary directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NewRun } from "../src/core/store.ts";
import { prefixedId } from "../src/lib/ids.ts";
import { openSqliteStore, type SynchronousMode } from "../src/store/index.ts";
import { timeConcurrently } from "./concurrency.ts";

interface Result {
  synchronous: SynchronousMode;
  groupCommit: boolean;
  runs: number;
  inFlight: number;
  seconds: number;
  runsPerSecond: number;
}

const RUNS = Number(process.argv[2] ?? 10_000);
const IN_FLIGHT = Number(process.argv[3] ?? 50);

function newRun(index: number): NewRun {
  return {
    id: prefixedId("run"),
    workflowId: "bench",
    workflowVersion: 1,
    versionId: "sha256:bench",
    input: { index, customerId: "cus_123", items: [{ quantity: 2, price: 9.5 }] },
    trigger: { type: "api", apiKey: "bench" },
    idempotencyKey: `key-${index}`,
    connectionId: null,
    entityType: null,
    entityId: null,
    webhookUrl: null,
    createdAt: new Date().toISOString(),
  };
}

async function measure(synchronous: SynchronousMode, groupCommit: boolean): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "wfd-bench-"));
  const store = openSqliteStore({ path: join(dir, "wfd.db"), synchronous, groupCommit });
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
  const seconds = await timeConcurrently(RUNS, IN_FLIGHT, (index) =>
    store.createRun(newRun(index), { idempotency: { key: `key-${index}`, requestHash: "h", expiresAt } }),
  );
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    synchronous,
    groupCommit,
    runs: RUNS,
    inFlight: IN_FLIGHT,
    seconds,
    runsPerSecond: RUNS / seconds,
  };
}

const results: Result[] = [];
for (const synchronous of ["FULL", "NORMAL"] as const) {
  for (const groupCommit of [true, false]) results.push(await measure(synchronous, groupCommit));
}

console.log(`createRun, ${RUNS} runs, ${IN_FLIGHT} in flight, ${tmpdir()}`);
console.log("synchronous  group commit  seconds  runs/s");
for (const result of results) {
  console.log(
    `${result.synchronous.padEnd(11)}  ${String(result.groupCommit).padEnd(12)}  ${result.seconds
      .toFixed(2)
      .padStart(7)}  ${Math.round(result.runsPerSecond).toString().padStart(6)}`,
  );
}
console.log(JSON.stringify(results));
