/**
 * The throughput figures and their ceilings, measured in alternation: each wfd load run right
 * after the ceiling it is compared with, for several rounds. On a noisy 2-core machine a figure
 * can move by 2x between minutes, so a ratio is only meaningful between runs close in time; the
 * round with the median ratio is reported, and every round's figures are kept.
 */
import { measureAccepting, measureCeiling, measureCompleted, type Throughput } from "./suites.ts";

/** Rounds of (ceiling, wfd) pairs (BENCH_ROUNDS, default 3). */
export const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

/** One round: the ceiling, wfd right after it, and wfd's share of the ceiling. */
export interface Pair<T extends Throughput> {
  ceiling: Throughput;
  wfd: T;
  ratio: number;
}

/** The round with the median ratio, and the ratio of every round in the order measured. */
export interface PairSummary<T extends Throughput> extends Pair<T> {
  ratios: number[];
}

function summarize<T extends Throughput>(pairs: Pair<T>[]): PairSummary<T> {
  const sorted = [...pairs].sort((a, b) => a.ratio - b.ratio);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as Pair<T>;
  return { ...median, ratios: pairs.map((pair) => Number(pair.ratio.toFixed(3))) };
}

async function pair<T extends Throughput>(
  ceiling: () => Promise<Throughput>,
  wfd: () => Promise<T>,
): Promise<Pair<T>> {
  const measuredCeiling = await ceiling();
  const measured = await wfd();
  const ratio = measuredCeiling.perSecond > 0 ? measured.perSecond / measuredCeiling.perSecond : 0;
  return { ceiling: measuredCeiling, wfd: measured, ratio };
}

/**
 * a. and b. throughput with c. ceilings: the commit-per-insert ceiling once, then ROUNDS rounds of
 * (group ceiling, accepted runs) and (completed-run ceiling, completed runs).
 */
export async function measureThroughputPairs() {
  const single = await measureCeiling("single");
  const accepting: Pair<Awaited<ReturnType<typeof measureAccepting>>>[] = [];
  const completing: Pair<Throughput>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    accepting.push(await pair(() => measureCeiling("group"), measureAccepting));
    completing.push(await pair(() => measureCeiling("completed"), measureCompleted));
  }
  return { rounds: ROUNDS, single, accepting: summarize(accepting), completing: summarize(completing) };
}
