/**
 * `bun run bench`: builds dist/wfd, starts it (and the raw Bun.serve ceilings) as separate
 * processes on temporary directories, loads them with autocannon from another process, and prints
 * a table and a JSON object (also written to bench/results/latest.json). Benchmarks are not tests.
 *
 *   bun run bench                    everything (issue 7: a-e and the ceilings)
 *   bun run bench throughput         only some parts, JSON only: throughput latency memory startup
 *   bun run bench micro              the in-process micro benchmarks (store, run service, workflow loading)
 *
 * BENCH_SECONDS (default 10) sets each load run, BENCH_WARMUP_SECONDS (5) the warm-up before it,
 * BENCH_ROUNDS (3) the rounds of ceiling-then-wfd pairs, BENCH_BINARY another build to measure
 * instead of building dist/wfd.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT, spawnFromRoot } from "./harness.ts";
import { type Results, rows, table } from "./report.ts";
import { measureThroughputPairs, ROUNDS } from "./rounds.ts";
import {
  LOAD_SECONDS,
  measureFixedRate,
  measureMemoryAndStorage,
  measureStartupAndReload,
} from "./suites.ts";
import { BINARY, buildBinary } from "./wfd.ts";

const MICRO = [
  "bench/store.ts",
  "bench/run-service.ts",
  "bench/workflows.ts",
  "bench/completing.ts",
  "bench/api-in-process.ts",
  "bench/webhooks.ts",
];
const PARTS = ["throughput", "latency", "memory", "startup"] as const;
type Part = (typeof PARTS)[number];

/** Runs each micro benchmark in its own process, one after the other. */
async function runMicro(): Promise<void> {
  for (const bench of MICRO) {
    console.log(`\n## ${bench}`);
    const code = await spawnFromRoot(["bun", "run", bench]).exited;
    if (code !== 0) {
      console.error(`${bench} failed with exit code ${code}`);
      process.exitCode = 1;
    }
  }
}

const MEASURES: Record<Part, () => Promise<unknown>> = {
  throughput: measureThroughputPairs,
  latency: measureFixedRate,
  memory: measureMemoryAndStorage,
  startup: measureStartupAndReload,
};
const KEYS: Record<Part, keyof Results> = {
  throughput: "throughput",
  latency: "fixedRate",
  memory: "memory",
  startup: "startup",
};

/** Builds the binary, measures `parts` in order, prints the table (all parts) and the JSON. */
async function runHarness(parts: Part[]): Promise<void> {
  await buildBinary();
  const results: Partial<Results> = {
    machine: {
      cpus: availableParallelism(),
      bun: Bun.version,
      binary: BINARY,
      loadSeconds: LOAD_SECONDS,
      rounds: ROUNDS,
      startedAt: new Date().toISOString(),
    },
  };
  for (const part of parts) {
    console.error(`bench: ${part}...`);
    const started = performance.now();
    Object.assign(results, { [KEYS[part]]: await MEASURES[part]() });
    console.error(`bench: ${part} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  if (parts.length === PARTS.length) {
    const list = rows(results as Results);
    console.log(`\n${table(list)}\n`);
    Object.assign(results, { targets: list.filter((row) => row.pass !== undefined) });
  }
  const json = JSON.stringify(results, null, 2);
  console.log(json);
  const dir = join(PROJECT_ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, parts.length === PARTS.length ? "latest.json" : "partial.json"), `${json}\n`);
}

const args = process.argv.slice(2);
if (args[0] === "micro") {
  await runMicro();
} else {
  const unknown = args.filter((arg) => !PARTS.includes(arg as Part));
  if (unknown.length) {
    console.error(`unknown part(s): ${unknown.join(", ")}; expected micro or some of ${PARTS.join(", ")}`);
    process.exit(2);
  }
  await runHarness(args.length ? PARTS.filter((part) => args.includes(part)) : [...PARTS]);
}
