import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import type { StepRecord } from "../../src/core/run.ts";
import type { ExecutedRun } from "../../src/core/store.ts";
import { at, cleanup, newRun, openTempStore } from "./helpers.ts";

afterEach(cleanup);

function finalStep(id: string, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    id,
    type: "transform",
    status: "completed",
    attempts: 1,
    startedAt: at(1),
    completedAt: at(2),
    output: { id },
    error: null,
    ...overrides,
  };
}

function executed(overrides: Partial<ExecutedRun> = {}): ExecutedRun {
  return {
    startedAt: at(1),
    steps: [
      finalStep("b"),
      finalStep("a", { name: "First in the file" }),
      finalStep("c", { status: "skipped", attempts: 0, startedAt: null, completedAt: null, output: null }),
    ],
    logs: [{ ts: at(2), stepId: "b", stream: "system", line: "a line" }],
    finish: { status: "completed", output: { total: 5 }, error: null, completedAt: at(3) },
    notify: false,
    ...overrides,
  };
}

describe("a run executed before it is stored", () => {
  test("is created finished, with its steps in the order given and its log lines; the answer is what getRun returns", async () => {
    const store = openTempStore();
    const result = await store.createRun(newRun(), { executed: executed() });
    expect(result.outcome).toBe("created");
    if (result.outcome !== "created") return;
    const stored = await store.getRun(result.run.id);
    expect(result.run).toEqual(stored as NonNullable<typeof stored>);
    expect(stored).toMatchObject({
      status: "completed",
      output: { total: 5 },
      error: null,
      startedAt: at(1),
      completedAt: at(3),
      durationMs: 2,
    });
    expect(stored?.steps.map((step) => [step.id, step.status])).toEqual([
      ["b", "completed"],
      ["a", "completed"],
      ["c", "skipped"],
    ]);
    expect(stored?.steps[1]?.name).toBe("First in the file");
    const { lines } = await store.getLogs(result.run.id, 0, 10);
    expect(lines).toEqual([{ seq: 1, ts: at(2), stepId: "b", stream: "system", line: "a line" }]);
    expect(await store.countRunsByStatus("running")).toBe(0);
  });

  test("the answer behaves as a plain value: spread, serialised and assigned like one", async () => {
    const store = openTempStore();
    const result = await store.createRun(newRun({ input: { n: 21 } }), { executed: executed() });
    if (result.outcome !== "created") throw new Error("not created");
    const stored = await store.getRun(result.run.id);
    // Callers copy, serialise and change the answer as a plain object.
    expect(JSON.stringify(result.run)).toBe(JSON.stringify(stored));
    expect({ ...result.run }).toEqual(stored as NonNullable<typeof stored>);
    expect(Object.keys(result.run)).toEqual(Object.keys(stored as object));
    expect(result.run.steps).toBe(result.run.steps);
    result.run.output = { replaced: true };
    result.run.steps = [];
    expect([result.run.output, result.run.steps, result.run.input]).toEqual([
      { replaced: true },
      [],
      { n: 21 },
    ]);
    expect((await store.getRun(result.run.id))?.output).toEqual({ total: 5 });
  });

  test("keeps its steps in its own row, and they read back exactly as step rows do", async () => {
    const store = openTempStore();
    // Values JSON spells in unusual ways: quotes, backslashes, non-ASCII, nesting, numbers, empties.
    const steps = [
      finalStep("quoted", {
        name: 'Say "hi" \\ é 😀',
        output: { text: 'a "b"\nc', list: [1, 2.5, true, null, {}] },
      }),
      finalStep("scalar", { output: -0.125 }),
      finalStep("empty", { output: "" }),
      finalStep("failed-ok", {
        status: "failed",
        output: null,
        error: { code: "HTTP_500", message: "boom" },
      }),
      finalStep("skipped", {
        status: "skipped",
        attempts: 0,
        startedAt: null,
        completedAt: null,
        output: null,
      }),
    ];
    const finish = { status: "completed" as const, output: { done: true }, error: null, completedAt: at(3) };
    const inline = await store.createRun(newRun(), { executed: executed({ steps, finish, logs: [] }) });
    // The same steps saved one by one on a run executed over time, the way every other run is stored.
    const lease = { owner: "me", leaseUntil: at(60_000), startedAt: at(1) };
    const asRows = newRun();
    await store.createRun(asRows, { lease });
    for (const step of steps) await store.saveStep(asRows.id, step);
    await store.finishRun(asRows.id, finish);
    if (inline.outcome !== "created") throw new Error("not created");

    const fromRows = await store.getRun(asRows.id);
    const fromInline = await store.getRun(inline.run.id);
    // toEqual ignores key order; the API's step objects must come out in the same order too.
    expect(JSON.stringify(fromInline?.steps)).toBe(JSON.stringify(fromRows?.steps));
    expect(fromInline?.steps[0]?.output).toEqual({ text: 'a "b"\nc', list: [1, 2.5, true, null, {}] });

    const db = new Database(store.path, { readonly: true });
    const stepRows = (id: string) =>
      db.query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM run_steps WHERE run_id = ?").get(id)?.n;
    const inlineColumn = db.query<{ steps: string | null }, [string]>("SELECT steps FROM runs WHERE id = ?");
    expect([stepRows(inline.run.id), stepRows(asRows.id)]).toEqual([0, steps.length]);
    expect(inlineColumn.get(asRows.id)?.steps).toBeNull();
    expect(JSON.parse(inlineColumn.get(inline.run.id)?.steps ?? "[]")).toHaveLength(steps.length);
    db.close();

    const listed = (await store.listRuns({ limit: 10 })).runs;
    expect(listed.map((run) => [run.id, run.steps.length])).toEqual([
      [asRows.id, steps.length],
      [inline.run.id, steps.length],
    ]);
    expect(listed[1]).toEqual(fromInline as NonNullable<typeof fromInline>);
  });

  test("a failed run keeps its error; its outbox events are written with it only when asked", async () => {
    const store = openTempStore();
    const finish = {
      status: "failed" as const,
      output: null,
      error: { code: "FAIL", message: "no", step: "a" },
      completedAt: at(3),
    };
    const steps = [
      finalStep("a", {
        type: "fail",
        status: "failed",
        output: null,
        error: { code: "FAIL", message: "no" },
      }),
    ];
    const hook = "http://127.0.0.1:9/run-hook";
    const quiet = await store.createRun(newRun({ webhookUrl: hook }), {
      executed: executed({ steps, finish }),
    });
    expect(await store.events.dueDeliveries(at(3), 10, [])).toEqual([]);
    const told = await store.createRun(newRun({ webhookUrl: hook }), {
      executed: executed({ steps, finish, notify: true }),
    });
    const due = await store.events.dueDeliveries(at(3), 10, []);
    expect(due.map((delivery) => delivery.url)).toEqual([hook]);
    const event = JSON.parse(due[0]?.payload ?? "{}");
    expect(event.type).toBe("run.failed");
    if (told.outcome !== "created" || quiet.outcome !== "created") throw new Error("not created");
    expect(event.data).toEqual(await store.getRun(told.run.id));
    expect(told.run.error).toEqual({ code: "FAIL", message: "no", step: "a" });
  });

  test("an idempotency replay answers the stored run and writes none of the new one", async () => {
    const store = openTempStore();
    const idempotency = { key: "k", requestHash: "h", expiresAt: "2099-01-01T00:00:00.000Z" };
    const first = await store.createRun(newRun(), { idempotency, executed: executed() });
    const again = newRun();
    const replay = await store.createRun(again, { idempotency, executed: executed() });
    expect(replay.outcome).toBe("replayed");
    if (replay.outcome !== "replayed" || first.outcome !== "created") return;
    expect(replay.run.id).toBe(first.run.id);
    expect(await store.getRun(again.id)).toBeNull();
    expect((await store.getLogs(again.id, 0, 10)).lines).toEqual([]);
  });

  test("bad fields are refused naming them, and nothing is written", async () => {
    const store = openTempStore();
    const lease = { owner: "me", leaseUntil: at(10), startedAt: at(1) };
    const cases: [Partial<ExecutedRun> | "lease", string][] = [
      ["lease", "createRun: a run is either leased or executed, not both"],
      [{ startedAt: "yesterday" }, "createRun: executed.startedAt"],
      [
        { finish: { status: "running" as never, output: null, error: null, completedAt: at(3) } },
        "createRun: executed.finish: status must be one of completed, failed, cancelled",
      ],
      [{ steps: [finalStep("a", { status: "done" as never })] }, "saveStep a: status"],
      [
        { logs: [{ ts: at(1), stepId: null, stream: "tty" as never, line: "x" }] },
        "appendLogs: lines[0].stream",
      ],
    ];
    for (const [change, message] of cases) {
      const run = newRun();
      const claims = change === "lease" ? { lease, executed: executed() } : { executed: executed(change) };
      await expect(store.createRun(run, claims)).rejects.toThrow(message);
      expect(await store.getRun(run.id)).toBeNull();
    }
    expect((await store.listRuns({ limit: 10 })).runs).toEqual([]);
  });
});
