import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { WfdError } from "../../src/core/errors.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { createRuntime, type Runtime } from "../helpers/runtime.ts";

const NAP = (onRestart = "resume") => `
name: Nap
onRestart: ${onRestart}
steps:
  - id: prepare
    type: transform
    config: { mapping: { ready: true } }
  - id: nap
    type: sleep
    config: { duration: 1s }
`;

const runtimes: Runtime[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) {
    await rt.runs.stop(0);
    await rt.store.close();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function track(rt: Runtime): Runtime {
  runtimes.push(rt);
  return rt;
}

/** Starts a run, lets it reach the middle of its sleep, then stops the service without finishing it. */
async function interruptMidSleep(onRestart: string) {
  const dir = mkdtempSync(join(tmpdir(), "wfd-recovery-"));
  dirs.push(dir);
  const path = join(dir, "wfd.db");
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  const first = createRuntime({ path, clock, owner: `${hostname()}:${process.pid}:first` });
  await first.catalog.define("nap.yaml", NAP(onRestart));
  await first.runs.start();
  const napping = first.runs.events.waitFor("step:started", (e) => e.step.id === "nap");
  const { run } = await first.runs.create({ workflowId: "nap", trigger: { type: "api" } });
  await napping;
  await clock.waitForSleepers(2);
  await clock.advance(400);
  await first.runs.stop(0);
  await first.store.close();
  const second = track(createRuntime({ path, clock, owner: `${hostname()}:${process.pid}:second` }));
  await second.catalog.define("nap.yaml", NAP(onRestart));
  const before = await second.store.getRun(run?.id as string);
  return { runId: run?.id as string, before, second, clock };
}

test("an interrupted run resumes from its first unfinished step, and a sleep keeps the time it has left", async () => {
  const { runId, before, second, clock } = await interruptMidSleep("resume");
  expect(before?.status).toBe("running");
  expect(before?.steps.map((s) => s.status)).toEqual(["completed", "running"]);
  const finished = second.runs.events.waitFor("run:finished", (r) => r.id === runId);
  await second.runs.start();
  await clock.waitForSleepers(2);
  await clock.advance(600);
  const run = await finished;
  expect(run.status).toBe("completed");
  expect(run.steps[0]).toEqual(before?.steps[0] as never);
  expect(run.steps[1]).toMatchObject({ status: "completed", output: { sleptMs: 1000 } });
  expect(run.steps[1]?.startedAt).toBe(before?.steps[1]?.startedAt as string);
});

test("onRestart: fail fails an interrupted run with INTERRUPTED, and the step it cut short with it", async () => {
  const { runId, second } = await interruptMidSleep("fail");
  const finished = second.runs.events.waitFor("run:finished", (r) => r.id === runId);
  await second.runs.start();
  const run = await finished;
  expect(run).toMatchObject({ status: "failed", error: { code: "INTERRUPTED", step: "nap" } });
  expect(run.steps.map((s) => s.status)).toEqual(["completed", "failed"]);
  expect(run.steps[1]).toMatchObject({ error: { code: "INTERRUPTED" }, completedAt: run.completedAt });
  expect(await second.store.getRun(runId)).toEqual(run);
});

test("onRestart: fail does not fail a run stored running whose steps never started", async () => {
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  const rt = track(createRuntime({ clock }));
  const version = await rt.catalog.define("nap.yaml", NAP("fail"));
  // As a run claimed by its own insert is stored when the process dies before executing it.
  const now = new Date(clock.now()).toISOString();
  await rt.store.createRun(
    {
      id: "run_01JCLAIMEDNEVERSTARTED0000",
      workflowId: "nap",
      workflowVersion: version.version,
      versionId: version.versionId,
      input: {},
      trigger: { type: "api" },
      idempotencyKey: null,
      connectionId: null,
      entityType: null,
      entityId: null,
      webhookUrl: null,
      createdAt: now,
    },
    {
      lease: {
        owner: "gone-host:1:dead",
        leaseUntil: new Date(clock.now() - 60_000).toISOString(),
        startedAt: now,
      },
    },
  );
  const finished = rt.runs.events.waitFor("run:finished", (r) => r.id === "run_01JCLAIMEDNEVERSTARTED0000");
  await rt.runs.start();
  await clock.waitForSleepers(2);
  await clock.advance(1000);
  expect(await finished).toMatchObject({ status: "completed", error: null });
});

test("cancel stops a running run, a pending one never starts, and a finished one is refused", async () => {
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  const rt = track(createRuntime({ clock, concurrency: 1 }));
  await rt.catalog.define("nap.yaml", NAP());
  await rt.runs.start();
  const napping = rt.runs.events.waitFor("step:started", (e) => e.step.id === "nap");
  const running = (await rt.runs.create({ workflowId: "nap", trigger: { type: "api" } })).run?.id as string;
  const pending = (await rt.runs.create({ workflowId: "nap", trigger: { type: "api" } })).run?.id as string;
  await napping;
  const cancelledPending = await rt.runs.cancel(pending);
  expect(cancelledPending).toMatchObject({
    status: "cancelled",
    startedAt: null,
    error: { code: "CANCELLED" },
  });
  const cancelledRunning = await rt.runs.cancel(running);
  expect(cancelledRunning.status).toBe("cancelled");
  expect(cancelledRunning.steps.map((s) => s.status)).toEqual(["completed", "cancelled"]);
  const again = await rt.runs.cancel(running).catch((e: WfdError) => e);
  expect(again).toBeInstanceOf(WfdError);
  expect((again as WfdError).code).toBe("INVALID_STATUS");
  expect((await rt.runs.cancel("run_nope").catch((e: WfdError) => e)) as WfdError).toMatchObject({
    code: "NOT_FOUND",
  });
});

test("waitForFinish gives up after its timeout", async () => {
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  const rt = track(createRuntime({ clock }));
  await rt.catalog.define("nap.yaml", NAP());
  await rt.runs.start();
  const { run } = await rt.runs.create({ workflowId: "nap", trigger: { type: "api" } });
  const waiting = rt.runs.waitForFinish(run?.id as string, 300);
  await clock.waitForSleepers(3);
  await clock.advance(300);
  expect(await waiting).toBeNull();
});

test("a workflow step runs a child run and returns its output", async () => {
  const rt = track(createRuntime());
  await rt.catalog.define(
    "child.yaml",
    "name: Child\nsteps:\n  - id: double\n    type: transform\n    config: { mapping: { value: '{{ input.n | times: 2 }}' } }\n",
  );
  await rt.catalog.define(
    "parent.yaml",
    "name: Parent\nsteps:\n  - id: call\n    type: workflow\n    config: { workflow: child, input: { n: 21 } }\n",
  );
  await rt.runs.start();
  const { run } = await rt.runs.create({ workflowId: "parent", trigger: { type: "api" } });
  const done = await rt.runs.waitForFinish(run?.id as string, null);
  expect(done).toMatchObject({ status: "completed", output: { value: 42 } });
  const children = (await rt.store.listRuns({ workflowId: "child", limit: 10 })).runs;
  expect(children).toHaveLength(1);
  expect(children[0]?.trigger).toEqual({
    type: "workflow",
    parentRunId: run?.id as string,
    parentStepId: "call",
  });
});
