import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Run } from "../../src/core/run.ts";
import { TypedEmitter } from "../../src/lib/emitter.ts";
import { Scheduler, type SlotEvent } from "../../src/scheduler/index.ts";
import { createRuntime, type Runtime } from "../helpers/runtime.ts";

/**
 * The scheduler on the real clock, over a real run service and store file: a per-second schedule,
 * across a restart and with two schedulers on one database. Waits on run:created events, never on
 * timers of its own.
 */

const EVERY_SECOND = `name: Every second
trigger:
  - type: schedule
    cron: "* * * * * *"
    overlap: allow
    input: { slot: "{{ run.createdAt }}" }
steps:
  - id: noop
    type: transform
    config: { mapping: { slot: "{{ input.slot }}" } }
`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "wfd-scheduler-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "wfd.db");
}

interface Node {
  runtime: Runtime;
  scheduler: Scheduler;
  slotEvents: SlotEvent[];
  stop(): Promise<void>;
}

/** A run service and a scheduler on the database at `path`, as one `wfd serve` would have them. */
async function startNode(path: string): Promise<Node> {
  const runtime = createRuntime({ path });
  const stored = await runtime.catalog.define("every-second.yaml", EVERY_SECOND);
  const registry = { list: () => [{ version: stored }], events: new TypedEmitter() };
  const scheduler = new Scheduler({ registry, runs: runtime.runs, store: runtime.store });
  const slotEvents: SlotEvent[] = [];
  scheduler.events.on("slot", (event) => slotEvents.push(event));
  await runtime.runs.start();
  await scheduler.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await scheduler.stop();
    await runtime.runs.stop(5_000);
    await runtime.store.close();
  };
  cleanups.push(stop);
  return { runtime, scheduler, slotEvents, stop };
}

/** Resolves with the next `count` runs created by any of the run services. */
function nextRuns(runtimes: Runtime[], count: number): Promise<Run[]> {
  return new Promise((resolve) => {
    const seen: Run[] = [];
    const offs = runtimes.map((runtime) =>
      runtime.runs.events.on("run:created", (run) => {
        seen.push(run);
        if (seen.length < count) return;
        for (const off of offs) off();
        resolve(seen);
      }),
    );
  });
}

function slotOf(run: Run): number {
  return run.trigger.type === "schedule" ? Date.parse(run.trigger.scheduledFor) : Number.NaN;
}

function gaps(runs: Run[]): number[] {
  const slots = runs.map(slotOf).sort((a, b) => a - b);
  return slots.slice(1).map((slot, index) => slot - (slots[index] as number));
}

function printDelays(label: string, runs: Run[]): void {
  const delays = runs.map((run) => Date.parse(run.createdAt) - slotOf(run)).sort((a, b) => a - b);
  const pick = (q: number) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))];
  console.log(
    `${label}: firing delay (createdAt - scheduledFor) over ${delays.length} slots: p50 ${pick(0.5)} ms, p99 ${pick(0.99)} ms, max ${delays.at(-1)} ms`,
  );
}

async function storedSlots(runtime: Runtime): Promise<string[]> {
  const page = await runtime.store.listRuns({ workflowId: "every-second", limit: 100 });
  return page.runs.map((run) => (run.trigger.type === "schedule" ? run.trigger.scheduledFor : "?"));
}

describe("a per-second schedule in real time", () => {
  test("fires one run per second, and after a restart goes on without firing any slot twice", async () => {
    const path = tempDbPath();
    const first = await startNode(path);
    const before = await nextRuns([first.runtime], 4);
    await first.stop();

    const second = await startNode(path);
    const after = await nextRuns([second.runtime], 3);
    const all = [...before, ...after];
    printDelays("restart", all);

    expect(gaps(before)).toEqual([1000, 1000, 1000]);
    expect(gaps(after)).toEqual([1000, 1000]);
    expect(slotOf(after[0] as Run)).toBeGreaterThan(slotOf(before.at(-1) as Run));
    for (const run of all) expect(run.trigger).toMatchObject({ type: "schedule", trigger: 0 });
    await second.stop();

    const reopened = createRuntime({ path });
    cleanups.push(() => reopened.store.close());
    const slots = await storedSlots(reopened);
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots.length).toBeGreaterThanOrEqual(all.length);
  }, 20_000);

  test("two schedulers on one database fire each slot once", async () => {
    const path = tempDbPath();
    const a = await startNode(path);
    const b = await startNode(path);
    const runs = await nextRuns([a.runtime, b.runtime], 3);
    await a.stop();
    await b.stop();
    printDelays("two schedulers", runs);

    expect(gaps(runs)).toEqual([1000, 1000]);
    const outcomes = [...a.slotEvents, ...b.slotEvents].map((event) => event.outcome);
    expect(outcomes).toContain("taken");
    expect(outcomes).not.toContain("failed");

    const reopened = createRuntime({ path });
    cleanups.push(() => reopened.store.close());
    const slots = await storedSlots(reopened);
    expect(new Set(slots).size).toBe(slots.length);
  }, 20_000);
});
