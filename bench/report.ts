/**
 * Turns the measurements into the table of figures, ceilings, ratios and targets that
 * `bun run bench` prints (and the README's "Performance" section reproduces).
 */
import { cpus } from "node:os";
import type { measureThroughputPairs } from "./rounds.ts";
import type {
  measureFixedRate,
  measureMemoryAndStorage,
  measureStartupAndReload,
  Throughput,
} from "./suites.ts";

/** Everything one `bun run bench` measured. */
export interface Results {
  machine: {
    cpus: number;
    bun: string;
    binary: string;
    loadSeconds: number;
    rounds: number;
    startedAt: string;
  };
  throughput: Awaited<ReturnType<typeof measureThroughputPairs>>;
  fixedRate: Awaited<ReturnType<typeof measureFixedRate>>;
  memory: Awaited<ReturnType<typeof measureMemoryAndStorage>>;
  startup: Awaited<ReturnType<typeof measureStartupAndReload>>;
}

/** One line of the table: a figure and, where issue 7 sets one, its target and verdict. */
export interface Row {
  measure: string;
  figure: string;
  target?: string;
  pass?: boolean;
}

const n = (value: number) => Math.round(value).toLocaleString("en-US");
const ms = (value: number) => `${Number(value.toFixed(1))} ms`;
const percent = (share: number) => `${Math.round(share * 100)}%`;
const cpu = (figure: Throughput) =>
  `${n(figure.cpuMicrosPerRequest)} µs CPU each${figure.writesPerCommit === undefined ? "" : `; ${figure.writesPerCommit} writes per commit`}; main thread busy ${percent(figure.mainThreadBusy)}, machine ${figure.machineBusyCpus.toFixed(2)} of ${cpus().length} CPUs`;
const ratios = (list: number[]) => `rounds: ${list.map((value) => value.toFixed(2)).join(", ")}`;

/** The rows of the table, with pass/fail for the five targets of issue 7. */
export function rows(results: Results): Row[] {
  const { throughput, fixedRate: paced, memory, startup } = results;
  const accepting = throughput.accepting.wfd;
  const completed = throughput.completing.wfd;
  const ceilings = {
    single: throughput.single,
    group: throughput.accepting.ceiling,
    completed: throughput.completing.ceiling,
  };
  const acceptRatio = throughput.accepting.ratio;
  const completeRatio = throughput.completing.ratio;
  const readyMs = Math.max(startup.coldReadyMs, startup.restartReadyMs);
  return [
    {
      measure: "a. accepted runs/s (202), 50 connections",
      figure: `${n(accepting.perSecond)}/s, p50 ${ms(accepting.p50)}, p99 ${ms(accepting.p99)}; ${acceptRatio.toFixed(2)} of group ceiling (${ratios(throughput.accepting.ratios)}); ${cpu(accepting)}`,
      target: ">= 15,000/s and >= 0.5 of group ceiling",
      pass: accepting.perSecond >= 15_000 && acceptRatio >= 0.5,
    },
    {
      measure: "a. every 2xx answer stored",
      figure: `${n(accepting.answered2xx)} answered 2xx, ${n(accepting.stored)} rows stored`,
      target: "stored >= 2xx",
      pass: accepting.allStored,
    },
    {
      measure: "b. completed runs/s with wait (200), 50 connections",
      figure: `${n(completed.perSecond)}/s, p50 ${ms(completed.p50)}, p99 ${ms(completed.p99)}; ${completeRatio.toFixed(2)} of completed ceiling (${ratios(throughput.completing.ratios)}); ${cpu(completed)}`,
      target: ">= 8,000/s and >= 0.5 of completed ceiling",
      pass: completed.perSecond >= 8_000 && completeRatio >= 0.5,
    },
    {
      // Judged on what a client sees: a run of pure steps gets its completedAt before the commit
      // that stores it, so its stored interval leaves the commit out.
      measure:
        "b. trigger-to-completed at 1,000 runs/s: HTTP round trip of POST with wait (open-loop paced client)",
      figure: `p50 ${ms(paced.httpP50)}, p99 ${ms(paced.httpP99)} (achieved ${n(paced.achieved)}/s); ${n(paced.cpuMicrosPerRequest)} µs CPU each, main thread busy ${percent(paced.mainThreadBusy)}`,
      target: "p99 < 10 ms",
      pass: paced.httpP99 < 10,
    },
    {
      measure: "b. same, stored createdAt -> completedAt",
      figure: `p50 ${ms(paced.storedP50)}, p99 ${ms(paced.storedP99)} over ${n(paced.storedRuns)} runs`,
    },
    {
      measure: "c. ceiling: raw Bun.serve, commit per insert",
      figure: `${n(ceilings.single.perSecond)}/s, p99 ${ms(ceilings.single.p99)}; ${cpu(ceilings.single)}`,
    },
    {
      measure: "c. ceiling: raw Bun.serve, group commit",
      figure: `${n(ceilings.group.perSecond)}/s, p99 ${ms(ceilings.group.p99)}; ${cpu(ceilings.group)}`,
    },
    {
      measure: "c. ceiling: raw Bun.serve, completed run (2 group commits)",
      figure: `${n(ceilings.completed.perSecond)}/s, p99 ${ms(ceilings.completed.p99)}; ${cpu(ceilings.completed)}`,
    },
    {
      measure: "d. RSS idle",
      figure: `${memory.idleRssMb} MB`,
      target: "< 80 MB",
      pass: memory.idleRssMb < 80,
    },
    {
      measure: `d. RSS after ${n(memory.storedRuns)} stored runs (all executed)`,
      figure: `${memory.rssAfterRunsMb} MB (${memory.rssAfterListMb} MB after the GET /runs load)`,
    },
    {
      measure: "d. database bytes per run (wfd.db + WAL) / runs",
      figure: `${n(memory.bytesPerRun)} B (${(memory.databaseBytes / 1048576).toFixed(1)} MiB)`,
    },
    {
      measure: `d. GET /runs?limit=100 with ${n(memory.storedRuns)} runs, 10 connections`,
      figure: `p50 ${ms(memory.listRuns.p50)}, p99 ${ms(memory.listRuns.p99)} over ${n(memory.listRuns.ok)} requests`,
    },
    {
      measure: `e. start-to-ready with ${n(startup.workflowFiles)} workflow files`,
      figure: `fresh data dir ${ms(startup.coldReadyMs)} (median of ${startup.coldReadyRunsMs.map(ms).join(", ")}), restart ${ms(startup.restartReadyMs)}; fresh with distinct schemas and templates ${ms(startup.coldDistinctReadyMs)} (median of ${startup.coldDistinctReadyRunsMs.map(ms).join(", ")})`,
      target: "< 1 s",
      pass: readyMs < 1000,
    },
    {
      measure: "e. file change -> new version served (10 edits)",
      figure: `median ${ms(startup.reloadMedianMs)}, max ${ms(startup.reloadMaxMs)}`,
    },
  ];
}

/** The rows as a Markdown table (the format the README uses). */
export function table(list: Row[]): string {
  const lines = ["| measure | figure | target | result |", "|---|---|---|---|"];
  for (const row of list) {
    const verdict = row.pass === undefined ? "" : row.pass ? "pass" : "FAIL";
    lines.push(`| ${row.measure} | ${row.figure} | ${row.target ?? ""} | ${verdict} |`);
  }
  return lines.join("\n");
}
