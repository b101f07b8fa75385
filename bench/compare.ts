/**
 * Two builds in alternation: `bun run bench/compare.ts <binary A> <binary B> [pairs] [accepted|completed]`.
 * Measures A, then B, `pairs` times (default 4), each run on a fresh project with the bench's
 * warm-up and load (50 connections), and prints every run and, per pair, B's figure as a share of
 * A's. On this noisy machine a build can move by 2x between minutes, so a change is judged by how
 * many pairs it wins and by the median of the pair ratios, never by one run against an older one.
 */
import { existsSync } from "node:fs";
import { percentile } from "./harness.ts";
import { measureAccepting, measureCompleted, type Throughput } from "./suites.ts";

const KINDS = { accepted: measureAccepting, completed: measureCompleted } as const;
type Kind = keyof typeof KINDS;

interface Options {
  binaries: [string, string];
  pairs: number;
  kind: Kind;
}

function usage(problem: string): never {
  console.error(`bench/compare.ts: ${problem}`);
  console.error("usage: bun run bench/compare.ts <binary A> <binary B> [pairs] [accepted|completed]");
  process.exit(2);
}

function parseOptions(args: string[]): Options {
  const [a, b, pairsText = "4", kindText = "accepted"] = args;
  if (!a || !b) usage("two binaries are needed");
  for (const binary of [a, b]) if (!existsSync(binary)) usage(`no such binary: ${binary}`);
  const pairs = Number(pairsText);
  if (!Number.isInteger(pairs) || pairs < 1) usage(`pairs must be a positive integer, got ${pairsText}`);
  if (!(kindText in KINDS)) usage(`the kind must be accepted or completed, got ${kindText}`);
  return { binaries: [a, b], pairs, kind: kindText as Kind };
}

/** The main thread's CPU per answer, in µs: the part of a request that sets the pace. */
function mainThreadMicros(figure: Throughput): number {
  return figure.perSecond > 0 ? (figure.mainThreadBusy * 1e6) / figure.perSecond : 0;
}

function line(label: string, figure: Throughput): string {
  return [
    label.padEnd(2),
    `${figure.perSecond}/s`.padStart(9),
    `${figure.cpuMicrosPerRequest} µs CPU`.padStart(11),
    `${mainThreadMicros(figure).toFixed(1)} µs main thread`.padStart(22),
    `${figure.writesPerCommit ?? "-"} writes per commit`,
    `p99 ${figure.p99} ms`,
  ].join("  ");
}

async function main(): Promise<void> {
  const { binaries, pairs, kind } = parseOptions(process.argv.slice(2));
  console.log(`${kind} runs; A: ${binaries[0]}; B: ${binaries[1]}; pairs: ${pairs}`);
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const a = await KINDS[kind](binaries[0]);
    console.log(line("A", a));
    const b = await KINDS[kind](binaries[1]);
    console.log(line("B", b));
    ratios.push(b.perSecond / Math.max(1, a.perSecond));
    cpuRatios.push(b.cpuMicrosPerRequest / Math.max(1, a.cpuMicrosPerRequest));
  }
  const wins = ratios.filter((ratio) => ratio > 1).length;
  console.log(
    `B/A runs per second: ${ratios.map((ratio) => ratio.toFixed(3)).join(", ")} (median ${percentile(ratios, 50).toFixed(3)}; B ahead in ${wins} of ${pairs})`,
  );
  console.log(
    `B/A CPU per answer: ${cpuRatios.map((ratio) => ratio.toFixed(3)).join(", ")} (median ${percentile(cpuRatios, 50).toFixed(3)})`,
  );
}

await main();
