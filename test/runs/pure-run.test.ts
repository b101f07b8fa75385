import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Run } from "../../src/core/run.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { createRuntime, type Runtime } from "../helpers/runtime.ts";

// Several steps, a skipped one, a log line (a failing step's message) and an output template.
const PURE = `
name: Pure
steps:
  - id: left
    type: transform
    needs: []
    config: { mapping: { side: left, n: "{{ input.n }}" } }
  - id: right
    type: transform
    needs: []
    config: { mapping: "{{ input.n | times: 2 }}" }
  - id: never
    type: fail
    if: "{{ input.n > 100 }}"
    needs: [left, right]
    config: { message: too big }
  - id: last
    type: transform
    name: The last one
    needs: [never]
    config: { mapping: { sum: "{{ steps.right.output | plus: 1 }}" } }
output:
  sum: "{{ steps.last.output.sum }}"
`;

const SLEEPER = "name: Sleeper\nsteps: [{ id: nap, type: sleep, config: { duration: 1s } }]\n";

let runtime: Runtime | undefined;
let dir: string | undefined;
afterEach(async () => {
  await runtime?.runs.stop(0);
  await runtime?.store.close();
  runtime = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A runtime on a file, with a second connection that records every write to a run row. */
function spiedRuntime(options: Parameters<typeof createRuntime>[0] = {}) {
  dir = mkdtempSync(join(tmpdir(), "wfd-pure-"));
  const path = join(dir, "wfd.db");
  const rt = createRuntime({ ...options, path });
  const spy = new Database(path);
  spy.run("CREATE TABLE run_writes (run_id TEXT, kind TEXT, status TEXT)");
  spy.run(`CREATE TRIGGER run_inserted AFTER INSERT ON runs
    BEGIN INSERT INTO run_writes VALUES (new.id, 'insert', new.status); END`);
  spy.run(`CREATE TRIGGER run_updated AFTER UPDATE ON runs
    BEGIN INSERT INTO run_writes VALUES (new.id, 'update', new.status); END`);
  const writes = (id: string) =>
    spy
      .query<{ kind: string; status: string }, [string]>(
        "SELECT kind, status FROM run_writes WHERE run_id = ? ORDER BY rowid",
      )
      .all(id)
      .map((write) => `${write.kind} ${write.status}`);
  return { rt, writes, close: () => spy.close() };
}

/** Every run event in order, as "<event> <run or step id> <status>". */
function recordEvents(rt: Runtime): string[] {
  const seen: string[] = [];
  rt.runs.events.on("run:created", (run) => seen.push(`run:created ${run.status}`));
  rt.runs.events.on("run:started", () => seen.push("run:started"));
  rt.runs.events.on("step:started", (e) => seen.push(`step:started ${e.step.id}`));
  rt.runs.events.on("step:finished", (e) => seen.push(`step:finished ${e.step.id} ${e.step.status}`));
  rt.runs.events.on("run:finished", (run) => seen.push(`run:finished ${run.status}`));
  return seen;
}

describe("runs whose steps are all pure", () => {
  test("are executed before they are stored: one insert, finished; the answer is the stored run", async () => {
    const { rt, writes, close } = spiedRuntime();
    runtime = rt;
    await rt.catalog.define("pure.yaml", PURE);
    await rt.runs.start();
    const events = recordEvents(rt);
    const { run, replayed } = await rt.runs.create({
      workflowId: "pure",
      input: { n: 2 },
      trigger: { type: "api" },
    });
    expect(replayed).toBe(false);
    expect(run).toMatchObject({ status: "completed", output: { sum: 5 } });
    expect(run).toEqual((await rt.store.getRun(run?.id as string)) as Run);
    expect(writes(run?.id as string)).toEqual(["insert completed"]);
    expect(events).toEqual([
      "run:created completed",
      "run:started",
      "step:finished left completed",
      "step:finished right completed",
      "step:finished never skipped",
      "step:finished last completed",
      "run:finished completed",
    ]);
    close();
  });

  test("are stored as the same workflow run through the queue would be", async () => {
    const { rt, writes, close } = spiedRuntime();
    runtime = rt;
    await rt.catalog.define("pure.yaml", PURE);
    // Its own concurrency limit sends the same steps through the queue.
    await rt.catalog.define("queued.yaml", `${PURE.replace("name: Pure", "name: Queued")}concurrency: 2\n`);
    await rt.runs.start();
    const queuedDone = rt.runs.events.waitFor("run:finished", (run) => run.workflowId === "queued");
    const queued = (
      await rt.runs.create({ workflowId: "queued", input: { n: 200 }, trigger: { type: "api" } })
    ).run;
    expect(queued?.status).toBe("pending");
    await queuedDone;
    const pure = (await rt.runs.create({ workflowId: "pure", input: { n: 200 }, trigger: { type: "api" } }))
      .run;
    const comparable = (stored: Run | null) => ({
      status: stored?.status,
      output: stored?.output,
      error: stored?.error,
      steps: stored?.steps.map(({ startedAt, completedAt, ...step }) => step),
    });
    const viaQueue = await rt.store.getRun(queued?.id as string);
    expect(comparable(await rt.store.getRun(pure?.id as string))).toEqual(comparable(viaQueue));
    expect(viaQueue?.error).toEqual({ code: "FAIL", message: "too big", step: "never" });
    expect(writes(queued?.id as string)).toEqual(["insert pending", "update running", "update failed"]);
    expect(writes(pure?.id as string)).toEqual(["insert failed"]);
    close();
  });

  test("do not overtake runs waiting for a slot", async () => {
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    runtime = createRuntime({ clock, concurrency: 1 });
    const rt = runtime;
    await rt.catalog.define("pure.yaml", PURE);
    await rt.catalog.define("sleeper.yaml", SLEEPER);
    await rt.runs.start();
    await rt.runs.create({ workflowId: "sleeper", trigger: { type: "api" } });
    const waiting = (await rt.runs.create({ workflowId: "pure", input: { n: 1 }, trigger: { type: "api" } }))
      .run;
    expect(waiting?.status).toBe("pending");
    const done = rt.runs.events.waitFor("run:finished", (run) => run.id === waiting?.id);
    await clock.waitForSleepers(2);
    await clock.advance(1000);
    expect((await done).status).toBe("completed");
  });

  test("hold their slot until they are stored: a run created meanwhile waits for it", async () => {
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    const { rt, writes, close } = spiedRuntime({ clock, concurrency: 1 });
    runtime = rt;
    await rt.catalog.define("pure.yaml", PURE);
    await rt.catalog.define("sleeper.yaml", SLEEPER);
    await rt.runs.start();
    const pure = rt.runs.create({ workflowId: "pure", input: { n: 1 }, trigger: { type: "api" } });
    const sleeper = rt.runs.create({ workflowId: "sleeper", trigger: { type: "api" } });
    const [executed, queued] = await Promise.all([pure, sleeper]);
    expect(executed.run?.status).toBe("completed");
    // Not claimed by its own insert: the only slot was the pure run's until its commit.
    expect(writes(queued.run?.id as string)).toEqual(["insert pending"]);
    const done = rt.runs.events.waitFor("run:finished", (run) => run.id === queued.run?.id);
    await clock.waitForSleepers(2);
    await clock.advance(1000);
    expect((await done).status).toBe("completed");
    close();
  });

  test("a replay answers the stored run and executes nothing", async () => {
    runtime = createRuntime();
    const rt = runtime;
    await rt.catalog.define("pure.yaml", PURE);
    await rt.runs.start();
    const request = {
      workflowId: "pure",
      input: { n: 3 },
      trigger: { type: "api" as const },
      idempotencyKey: "k",
    };
    const first = await rt.runs.create(request);
    expect(first.run?.status).toBe("completed");
    let finished = 0;
    rt.runs.events.on("run:finished", () => finished++);
    const again = await rt.runs.create(request);
    expect(again).toEqual({ run: first.run as Run, replayed: true });
    expect(finished).toBe(0);
    expect((await rt.store.listRuns({ workflowId: "pure", limit: 10 })).runs).toHaveLength(1);
  });

  test("runs of a workflow with a retry, a sleep or an http step take the queue", async () => {
    runtime = createRuntime();
    const rt = runtime;
    const impure = {
      retried:
        "name: R\nsteps: [{ id: a, type: transform, retry: { attempts: 2, delay: 1s }, config: { mapping: 1 } }]\n",
      sleeping:
        "name: S\nsteps: [{ id: a, type: transform, config: { mapping: 1 } }, { id: b, type: sleep, config: { duration: 1ms } }]\n",
      calling: "name: C\nsteps: [{ id: a, type: http, config: { url: 'http://127.0.0.1:9/' } }]\n",
    };
    for (const [id, yaml] of Object.entries(impure)) await rt.catalog.define(`${id}.yaml`, yaml);
    await rt.runs.start();
    for (const workflowId of Object.keys(impure)) {
      const done = rt.runs.events.waitFor("run:finished", (run) => run.workflowId === workflowId);
      const { run } = await rt.runs.create({ workflowId, trigger: { type: "api" } });
      expect([workflowId, run?.status]).toEqual([workflowId, "pending"]);
      await done;
    }
  });
});
