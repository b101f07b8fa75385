/**
 * Completed runs through the run service alone, no HTTP: `bun run bench/completing.ts [runs] [inFlight]`.
 * Each run is created and awaited to its end (create, claim, step, finish: the work behind
 * `wait`), so the figure is the run service's ceiling for one-step transform runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchRuntime } from "./bench-runtime.ts";
import { timeConcurrently } from "./concurrency.ts";

const RUNS = Number(process.argv[2] ?? 20_000);
const IN_FLIGHT = Number(process.argv[3] ?? 50);
const WORKFLOW = "name: Bench\nsteps: [{ id: a, type: transform, config: { mapping: '{{ input.n }}' } }]\n";

const dir = mkdtempSync(join(tmpdir(), "wfd-bench-complete-"));
const { store, runs } = await benchRuntime(dir, "bench", WORKFLOW, {
  synchronous: process.env.BENCH_SYNC === "NORMAL" ? "NORMAL" : "FULL",
});
await runs.start();
const cpuBefore = process.cpuUsage();
const seconds = await timeConcurrently(RUNS, IN_FLIGHT, async (index) => {
  const { run } = await runs.create({ workflowId: "bench", input: { n: index }, trigger: { type: "api" } });
  if (!run) throw new Error("no run");
  await runs.waitForFinish(run.id, 10_000);
});
const cpu = process.cpuUsage(cpuBefore);
await runs.stop(1000);
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    runs: RUNS,
    inFlight: IN_FLIGHT,
    seconds,
    completedPerSecond: Math.round(RUNS / seconds),
    cpuMicrosPerRun: Math.round((cpu.user + cpu.system) / RUNS),
  }),
);
