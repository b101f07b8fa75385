import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WfdError } from "../../src/core/errors.ts";
import type { Run } from "../../src/core/run.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { createRuntime, type Runtime } from "../helpers/runtime.ts";

const ORDER = `
name: Order
inputSchema:
  type: object
  required: [items]
  properties:
    items: { type: array, items: { type: object, properties: { price: { type: number } } } }
    currency: { type: string, default: usd }
steps:
  - id: total
    type: transform
    config: { mapping: { total: "{{ input.items | map: 'price' | sum }}", currency: "{{ input.currency }}" } }
`;

const SLEEPER = (limit?: number) => `
name: Sleeper
${limit ? `concurrency: ${limit}` : ""}
steps:
  - id: nap
    type: sleep
    config: { duration: 1s }
`;

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.runs.stop(0);
  await runtime?.store.close();
  runtime = undefined;
});

function expectWfdError(error: unknown, code: string): WfdError {
  expect(error).toBeInstanceOf(WfdError);
  expect((error as WfdError).code).toBe(code as WfdError["code"]);
  return error as WfdError;
}

const BRANCHY = `
name: Branchy
steps:
  - id: left
    type: transform
    needs: []
    config: { mapping: { side: left, missing: "{{ input.nothing }}" } }
  - id: right
    type: transform
    needs: []
    config: { mapping: "{{ input.n | times: 2 }}" }
  - id: never
    type: fail
    if: "{{ false }}"
    needs: [left, right]
    config: { message: skipped }
  - id: last
    type: transform
    name: The last one
    needs: [never]
    config: { mapping: { sum: "{{ steps.right.output | plus: 1 }}" } }
`;

describe("finished runs", () => {
  test("the run:finished payload is exactly the stored run, for completed and failed runs", async () => {
    runtime = createRuntime();
    await runtime.catalog.define("branchy.yaml", BRANCHY);
    await runtime.catalog.define(
      "fails.yaml",
      "name: Fails\nsteps: [{ id: a, type: fail, config: { message: no } }]\n",
    );
    await runtime.runs.start();
    for (const workflowId of ["branchy", "fails"]) {
      const finished = runtime.runs.events.waitFor("run:finished");
      await runtime.runs.create({ workflowId, input: { n: 2 }, trigger: { type: "api" } });
      const run = await finished;
      expect(run).toEqual((await runtime.store.getRun(run.id)) as Run);
      expect(JSON.stringify(run)).toBe(JSON.stringify(await runtime.store.getRun(run.id)));
    }
  });
});

describe("waiting", () => {
  test("a wait that begins as the run finishes still gets the finished run", async () => {
    runtime = createRuntime();
    await runtime.catalog.define("branchy.yaml", BRANCHY);
    await runtime.runs.start();
    const late = new Promise<Run | null>((resolve) => {
      const off = runtime?.runs.events.on("run:finished", (run) => {
        off?.();
        resolve(runtime?.runs.waitForFinish(run.id, 5_000) ?? null);
      });
    });
    await runtime.runs.create({ workflowId: "branchy", input: { n: 1 }, trigger: { type: "api" } });
    expect((await late)?.status).toBe("completed");
  });

  test("a wait that times out gives null and stops waiting; the run still finishes", async () => {
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    runtime = createRuntime({ clock });
    await runtime.catalog.define("sleeper.yaml", SLEEPER());
    await runtime.runs.start();
    const { run } = await runtime.runs.create({ workflowId: "sleeper", trigger: { type: "api" } });
    const waiting = runtime.runs.waitForFinish(run?.id as string, 500);
    // The lease renewal loop, the step's 1 s sleep and the wait's 500 ms timer.
    await clock.waitForSleepers(3);
    await clock.advance(500);
    expect(await waiting).toBeNull();
    const finished = runtime.runs.events.waitFor("run:finished");
    await clock.advance(500);
    expect((await finished).status).toBe("completed");
    expect(await runtime.runs.waitForFinish(run?.id as string, 500)).toMatchObject({ status: "completed" });
  });
});

describe("creating runs", () => {
  test("a queued run is stored as pending, dispatched and completed with its steps", async () => {
    runtime = createRuntime();
    // A workflow with its own limit always queues, even with only pure steps (pure-run.test.ts).
    await runtime.catalog.define("order.yaml", `${ORDER}concurrency: 5\n`);
    await runtime.runs.start();
    const finished = runtime.runs.events.waitFor("run:finished");
    const { run, replayed } = await runtime.runs.create({
      workflowId: "order",
      input: { items: [{ price: 2 }, { price: 3 }] },
      trigger: { type: "api", apiKey: "backend" },
    });
    expect(replayed).toBe(false);
    expect(run).toMatchObject({ status: "pending", workflowVersion: 1, input: { currency: "usd" } });
    const done = await finished;
    expect(done).toMatchObject({ id: run?.id, status: "completed", output: { total: 5, currency: "usd" } });
    expect(done.steps).toMatchObject([{ id: "total", status: "completed", attempts: 1 }]);
    expect(await runtime.store.getRun(run?.id as string)).toEqual(done);
  });

  test("unknown workflows, inactive ones and bad input are refused and nothing is written", async () => {
    runtime = createRuntime();
    await runtime.catalog.define("order.yaml", ORDER);
    await runtime.catalog.define(
      "draft.yaml",
      `name: Draft\nstatus: draft\n${ORDER.split("\n").slice(2).join("\n")}`,
    );
    const attempts: [Parameters<Runtime["runs"]["create"]>[0], string][] = [
      [{ workflowId: "nope", trigger: { type: "cli" } }, "NOT_FOUND"],
      [{ workflowId: "draft", input: { items: [] }, trigger: { type: "api" } }, "INVALID_STATUS"],
      [
        { workflowId: "order", input: { items: [{ price: "x" }] }, trigger: { type: "api" } },
        "VALIDATION_ERROR",
      ],
    ];
    for (const [request, code] of attempts) {
      const error = await runtime.runs.create(request).catch((e) => e);
      expectWfdError(error, code);
    }
    const invalid = await runtime.runs
      .create({ workflowId: "order", input: { items: [{ price: "x" }] }, trigger: { type: "api" } })
      .catch((e: WfdError) => e);
    expect((invalid as WfdError).details).toContainEqual({
      path: ["items", 0, "price"],
      message: expect.any(String),
    });
    const draftError = await runtime.runs.create(attempts[1]?.[0] as never).catch((e: WfdError) => e);
    expect((draftError as WfdError).message).toBe("Workflow must be active to run. Current status: draft");
    expect((await runtime.store.listRuns({ limit: 10 })).runs).toHaveLength(0);
  });

  test("an idempotency key replays the same input and conflicts on a different one", async () => {
    runtime = createRuntime();
    await runtime.catalog.define("order.yaml", ORDER);
    const request = {
      workflowId: "order",
      input: { items: [{ price: 1 }] },
      trigger: { type: "api" as const },
    };
    const first = await runtime.runs.create({ ...request, idempotencyKey: "k1" });
    const again = await runtime.runs.create({
      ...request,
      input: { currency: "usd", items: [{ price: 1 }] },
      idempotencyKey: "k1",
    });
    expect(again.replayed).toBe(true);
    expect(again.run?.id).toBe(first.run?.id as string);
    const conflict = await runtime.runs
      .create({ ...request, input: { items: [{ price: 2 }] }, idempotencyKey: "k1" })
      .catch((e) => e);
    expect(expectWfdError(conflict, "CONFLICT").message).toContain(first.run?.id as string);
  });

  test("50 concurrent requests with one key make one run", async () => {
    runtime = createRuntime();
    await runtime.catalog.define("order.yaml", ORDER);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        (runtime as Runtime).runs.create({
          workflowId: "order",
          input: { items: [] },
          trigger: { type: "api" },
          idempotencyKey: "same",
        }),
      ),
    );
    expect(new Set(results.map((r) => r.run?.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
  });
});

describe("dispatch", () => {
  async function runSleepers(limit: { global: number; workflow?: number }, count: number): Promise<Run[]> {
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    runtime = createRuntime({ clock, concurrency: limit.global });
    await runtime.catalog.define("sleeper.yaml", SLEEPER(limit.workflow));
    await runtime.runs.start();
    for (let i = 0; i < count; i++)
      await runtime.runs.create({ workflowId: "sleeper", trigger: { type: "api" } });
    const effective = Math.min(limit.global, limit.workflow ?? limit.global);
    let finished = 0;
    while (finished < count) {
      const active = Math.min(effective, count - finished);
      // One sleeper per napping run, plus the service's lease-renewal loop.
      await clock.waitForSleepers(active + 1);
      const round = finishedEvents(runtime, active);
      await clock.advance(1000);
      await round;
      finished += active;
    }
    return (await runtime.store.listRuns({ limit: 100 })).runs;
  }

  function finishedEvents(rt: Runtime, n: number): Promise<void> {
    return new Promise((resolve) => {
      let seen = 0;
      const off = rt.runs.events.on("run:finished", () => {
        if (++seen < n) return;
        off();
        resolve();
      });
    });
  }

  function maxOverlap(runs: Run[]): number {
    const edges = runs.flatMap((run) => {
      const step = run.steps[0];
      return [
        { at: Date.parse(step?.startedAt as string), delta: 1 },
        { at: Date.parse(step?.completedAt as string), delta: -1 },
      ];
    });
    edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let current = 0;
    let max = 0;
    for (const edge of edges) {
      current += edge.delta;
      max = Math.max(max, current);
    }
    return max;
  }

  test("a run that can start at once is claimed by its own insert; one that must wait is claimed later", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wfd-claims-"));
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    runtime = createRuntime({ clock, concurrency: 1, path: join(dir, "wfd.db") });
    // Records every write to a run row, from a second connection.
    const spy = new Database(join(dir, "wfd.db"));
    spy.run("CREATE TABLE run_writes (run_id TEXT, kind TEXT, status TEXT)");
    spy.run(`CREATE TRIGGER run_inserted AFTER INSERT ON runs
      BEGIN INSERT INTO run_writes VALUES (new.id, 'insert', new.status); END`);
    spy.run(`CREATE TRIGGER run_updated AFTER UPDATE ON runs
      BEGIN INSERT INTO run_writes VALUES (new.id, 'update', new.status); END`);
    await runtime.catalog.define("sleeper.yaml", SLEEPER());
    await runtime.runs.start();
    const first = (await runtime.runs.create({ workflowId: "sleeper", trigger: { type: "api" } })).run;
    const second = (await runtime.runs.create({ workflowId: "sleeper", trigger: { type: "api" } })).run;
    const rt = runtime;
    for (const run of [first, second]) {
      await clock.waitForSleepers(2);
      const finished = rt.runs.events.waitFor("run:finished", (done) => done.id === run?.id);
      await clock.advance(1000);
      await finished;
    }
    const writes = (id: string | undefined) =>
      spy
        .query<{ kind: string; status: string }, [string]>(
          "SELECT kind, status FROM run_writes WHERE run_id = ? ORDER BY rowid",
        )
        .all(id as string)
        .map((write) => `${write.kind} ${write.status}`);
    expect(writes(first?.id)).toEqual(["insert running", "update completed"]);
    expect(writes(second?.id)).toEqual(["insert pending", "update running", "update completed"]);
    spy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the global concurrency limit is never exceeded, and is used", async () => {
    const runs = await runSleepers({ global: 2 }, 6);
    expect(runs.every((run) => run.status === "completed")).toBe(true);
    expect(maxOverlap(runs)).toBe(2);
  });

  test("a workflow's own concurrency limit is never exceeded", async () => {
    const runs = await runSleepers({ global: 8, workflow: 1 }, 4);
    expect(runs.every((run) => run.status === "completed")).toBe(true);
    expect(maxOverlap(runs)).toBe(1);
  });
});
