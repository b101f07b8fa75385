import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { Maintenance } from "../../src/runs/maintenance.ts";
import { createRuntime, type Runtime } from "../helpers/runtime.ts";

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.runs.stop(0);
  await runtime?.store.close();
});

/** A run service on `clock` with one quick workflow, started. */
async function startRuntime(clock: ManualClock): Promise<Runtime> {
  const rt = createRuntime({ clock });
  await rt.catalog.define(
    "quick.yaml",
    "name: Quick\nsteps: [{ id: a, type: transform, config: { mapping: 1 } }]\n",
  );
  await rt.runs.start();
  return rt;
}

/** The id of a run of the quick workflow, once it has finished. */
async function finishedRun(rt: Runtime): Promise<string> {
  const id = (await rt.runs.create({ workflowId: "quick", trigger: { type: "api" } })).run?.id as string;
  await rt.runs.waitForFinish(id, null);
  return id;
}

/** Resolves once the run is gone from the store (the prune runs in the background). */
function deleted(rt: Runtime, runId: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = async () => ((await rt.store.getRun(runId)) === null ? resolve() : setTimeout(check, 5));
    void check();
  });
}

test("hourly upkeep prunes finished runs past retention and keeps younger ones", async () => {
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
  runtime = await startRuntime(clock);
  const old = await finishedRun(runtime);
  const maintenance = new Maintenance({
    store: runtime.store,
    retentionMs: 86_400_000,
    clock,
    pruneEveryMs: 3_600_000,
  });
  maintenance.start();
  await clock.advance(23 * 3_600_000);
  const young = await finishedRun(runtime);
  const pruned = deleted(runtime, old);
  await clock.advance(2 * 3_600_000);
  await pruned;
  expect(await runtime.store.getRun(young)).not.toBeNull();
  await maintenance.stop();
});

test("the first prune comes a minute after start, so a daemon restarted within the hour still prunes", async () => {
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
  runtime = await startRuntime(clock);
  const old = await finishedRun(runtime);
  await clock.advance(2 * 86_400_000);
  const maintenance = new Maintenance({ store: runtime.store, retentionMs: 86_400_000, clock });
  maintenance.start();
  const pruned = deleted(runtime, old);
  await clock.advance(59_999);
  expect(await runtime.store.getRun(old)).not.toBeNull();
  await clock.advance(1);
  await pruned;
  await maintenance.stop();
});
