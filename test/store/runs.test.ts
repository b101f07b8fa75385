import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Run, StepRecord } from "../../src/core/run.ts";
import type { NewRun } from "../../src/core/store.ts";
import { openSqliteStore } from "../../src/store/index.ts";
import { at, cleanup, closeAfterTest, newRun, openTempStore, tempDir, workflowVersion } from "./helpers.ts";

afterEach(cleanup);

function step(id: string, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    id,
    type: "transform",
    status: "running",
    attempts: 1,
    startedAt: at(1_000),
    completedAt: null,
    output: null,
    error: null,
    ...overrides,
  };
}

describe("create and get", () => {
  test("every field of a new run survives the round trip", async () => {
    const store = openTempStore();
    const run = newRun({
      input: { items: [{ quantity: 2, price: 9.5 }], note: "ünïcødé", nested: { ok: true, none: null } },
      trigger: { type: "schedule", scheduledFor: at(-60_000), trigger: 1 },
      idempotencyKey: "order-123",
      connectionId: "conn_production_stripe",
      entityType: "order",
      entityId: "ord_1",
      webhookUrl: "https://example.com/hook",
    });
    const created = await store.createRun(run);
    const expected: Run = {
      id: run.id,
      workflowId: run.workflowId,
      workflowVersion: 1,
      versionId: "sha256:abc",
      status: "pending",
      input: run.input,
      output: null,
      error: null,
      trigger: run.trigger,
      idempotencyKey: "order-123",
      connectionId: "conn_production_stripe",
      entityType: "order",
      entityId: "ord_1",
      webhookUrl: "https://example.com/hook",
      createdAt: run.createdAt,
      startedAt: null,
      completedAt: null,
      durationMs: null,
      steps: [],
    };
    expect(created).toEqual({ outcome: "created", run: expected });
    expect(await store.getRun(run.id)).toEqual(expected);
  });

  test("the answer of a creation is the input as stored, also when JSON changes it", async () => {
    const store = openTempStore();
    const run = newRun({
      input: { when: new Date(0), gone: undefined, big: Number.POSITIVE_INFINITY, kept: [1, "a"] },
    });
    const created = await store.createRun(run);
    const expected = { when: "1970-01-01T00:00:00.000Z", big: null, kept: [1, "a"] };
    expect(created.outcome === "created" && created.run.input).toEqual(expected);
    expect((await store.getRun(run.id))?.input).toEqual(expected);
  });

  test("an undefined input is stored as null", async () => {
    const store = openTempStore();
    const run = newRun({ input: undefined });
    await store.createRun(run);
    expect((await store.getRun(run.id))?.input).toBeNull();
  });

  test("an unknown run is null", async () => {
    expect(await openTempStore().getRun("run_missing")).toBeNull();
  });

  test("a second run with the same id is refused and the first is unchanged", async () => {
    const store = openTempStore();
    const run = newRun();
    await store.createRun(run);
    await expect(store.createRun({ ...run, input: { other: true } })).rejects.toThrow(
      `createRun: a run with id ${run.id} already exists`,
    );
    expect((await store.getRun(run.id))?.input).toEqual(run.input);
  });

  const badRuns: [string, Partial<NewRun>, string][] = [
    ["an empty id", { id: "" }, "createRun: id: must be a non-empty string"],
    [
      "a bad createdAt",
      { createdAt: "yesterday" },
      'createRun: createdAt: not a valid ISO 8601 timestamp: "yesterday"',
    ],
    [
      "a version of 0",
      { workflowVersion: 0 },
      "createRun: workflowVersion must be a positive integer, got 0",
    ],
    ["an input JSON cannot hold", { input: { big: 1n } }, "createRun: input: cannot be stored as JSON"],
  ];
  for (const [what, overrides, message] of badRuns) {
    test(`${what} is refused with the field named and nothing stored`, async () => {
      const store = openTempStore();
      const run = newRun(overrides);
      await expect(store.createRun(run)).rejects.toThrow(message);
      expect(await store.countRunsByStatus("pending")).toBe(0);
    });
  }
});

describe("steps", () => {
  test("saveStep inserts, then updates in place, keeping the order steps were first saved in", async () => {
    const store = openTempStore();
    const run = newRun();
    await store.createRun(run);
    await store.saveStep(run.id, step("b", { name: "Second in file, first to start" }));
    await store.saveStep(run.id, step("a"));
    const done = step("b", {
      name: "Second in file, first to start",
      status: "completed",
      attempts: 2,
      completedAt: at(2_500),
      output: { total: 19 },
    });
    await store.saveStep(run.id, done);
    const failed = step("a", {
      status: "failed",
      error: { code: "HTTP_STATUS", message: "got 500", step: "a" },
    });
    await store.saveStep(run.id, failed);
    expect((await store.getRun(run.id))?.steps).toEqual([done, failed]);
  });

  test("saves of a step queued for the same commit become one write of its last record, at its first position", async () => {
    const dir = tempDir();
    const store = closeAfterTest(openSqliteStore({ path: join(dir, "wfd.db") }));
    // Counts the statements that change run_steps, from a second connection.
    const spy = new Database(join(dir, "wfd.db"));
    spy.run("CREATE TABLE step_writes (kind TEXT)");
    spy.run(
      "CREATE TRIGGER count_inserts AFTER INSERT ON run_steps BEGIN INSERT INTO step_writes VALUES ('insert'); END",
    );
    spy.run(
      "CREATE TRIGGER count_updates AFTER UPDATE ON run_steps BEGIN INSERT INTO step_writes VALUES ('update'); END",
    );
    const run = newRun();
    await store.createRun(run);
    const done = step("b", { status: "completed", completedAt: at(1_200), output: { n: 1 } });
    const saves = [
      store.saveStep(run.id, step("b")),
      store.saveStep(run.id, step("a")),
      store.saveStep(run.id, done),
    ];
    await Promise.all(saves);
    expect((await store.getRun(run.id))?.steps).toEqual([done, step("a")]);
    // A save after that commit is a write of its own.
    await store.saveStep(run.id, { ...step("a"), status: "completed", completedAt: at(1_300) });
    const writes = spy.query<{ kind: string }, []>("SELECT kind FROM step_writes").all();
    spy.close();
    expect(writes.map((row) => row.kind)).toEqual(["insert", "insert", "update"]);
  });

  test("pre-inserted pending steps keep their order when they start later", async () => {
    const store = openTempStore();
    const run = newRun();
    await store.createRun(run);
    const pending = ["first", "second", "third"].map((id) =>
      step(id, { status: "pending", startedAt: null, attempts: 0 }),
    );
    await Promise.all(pending.map((record) => store.saveStep(run.id, record)));
    await store.saveStep(run.id, step("third"));
    expect((await store.getRun(run.id))?.steps.map((record) => [record.id, record.status])).toEqual([
      ["first", "pending"],
      ["second", "pending"],
      ["third", "running"],
    ]);
  });

  test("a step of an unknown run is refused", async () => {
    await expect(openTempStore().saveStep("run_missing", step("a"))).rejects.toThrow(
      "saveStep: run run_missing does not exist",
    );
  });

  test("a step with a bad status or attempts is refused naming the step and field", async () => {
    const store = openTempStore();
    const run = newRun();
    await store.createRun(run);
    await expect(store.saveStep(run.id, step("a", { status: "done" as "completed" }))).rejects.toThrow(
      "saveStep a: status must be one of pending, running, completed, failed, skipped, cancelled, got done",
    );
    await expect(store.saveStep(run.id, step("a", { attempts: -1 }))).rejects.toThrow(
      "saveStep a: attempts must be an integer >= 0, got -1",
    );
    expect((await store.getRun(run.id))?.steps).toEqual([]);
  });
});

describe("logs", () => {
  test("lines are numbered per run and paged by the last number seen", async () => {
    const store = openTempStore();
    const run = newRun();
    const other = newRun();
    await Promise.all([store.createRun(run), store.createRun(other)]);
    const lines = Array.from({ length: 5 }, (_, index) => ({
      ts: at(index),
      stepId: index < 3 ? "build" : null,
      stream: index % 2 ? ("stderr" as const) : ("stdout" as const),
      line: `line ${index + 1}`,
    }));
    await store.appendLogs(run.id, lines.slice(0, 3));
    await store.appendLogs(other.id, [{ ts: at(0), stepId: null, stream: "system", line: "other run" }]);
    await store.appendLogs(run.id, lines.slice(3));

    const firstPage = await store.getLogs(run.id, 0, 2);
    expect(firstPage.lines).toEqual([
      { seq: 1, ...lines[0] },
      { seq: 2, ...lines[1] },
    ] as typeof firstPage.lines);
    const rest = await store.getLogs(run.id, 2, 100);
    expect(rest.lines.map((line) => [line.seq, line.line])).toEqual([
      [3, "line 3"],
      [4, "line 4"],
      [5, "line 5"],
    ]);
    expect((await store.getLogs(run.id, 5, 100)).lines).toEqual([]);
    expect((await store.getLogs(other.id, 0, 100)).lines.map((line) => line.seq)).toEqual([1]);
  });

  test("bad log input and bad paging arguments are refused", async () => {
    const store = openTempStore();
    const run = newRun();
    await store.createRun(run);
    const line = { ts: at(0), stepId: null, stream: "stdout" as const, line: "ok" };
    await expect(store.appendLogs("run_missing", [line])).rejects.toThrow(
      "appendLogs: run run_missing does not exist",
    );
    await expect(store.appendLogs(run.id, [line, { ...line, stream: "tty" as "stdout" }])).rejects.toThrow(
      "appendLogs: lines[1].stream must be one of stdout, stderr, system, got tty",
    );
    await expect(store.getLogs(run.id, -1, 10)).rejects.toThrow(
      "getLogs: after: must be an integer >= 0, got -1",
    );
    await expect(store.getLogs(run.id, 0, 0)).rejects.toThrow(
      "getLogs: limit: must be an integer >= 1, got 0",
    );
    expect((await store.getLogs(run.id, 0, 10)).lines).toEqual([]);
  });
});

describe("finishRun", () => {
  test("finishes a run once, with output, error and duration", async () => {
    const store = openTempStore();
    const run = newRun();
    await store.createRun(run);
    expect(await store.claimRun(run.id, "worker-1", at(60_000), at(1_000))).toBe(true);
    const error = { code: "TIMEOUT", message: "run exceeded 5s" };
    expect(
      await store.finishRun(run.id, { status: "failed", output: undefined, error, completedAt: at(6_012) }),
    ).toBe(true);
    expect(
      await store.finishRun(run.id, {
        status: "completed",
        output: { late: true },
        error: null,
        completedAt: at(9_000),
      }),
    ).toBe(false);
    const finished = await store.getRun(run.id);
    expect(finished).toMatchObject({
      status: "failed",
      output: null,
      error,
      startedAt: at(1_000),
      completedAt: at(6_012),
      durationMs: 5_012,
    });
    expect(await store.listLeases()).toEqual([]);
  });

  test("a pending run can be cancelled and has no duration", async () => {
    const store = openTempStore();
    const run = newRun();
    await store.createRun(run);
    expect(
      await store.finishRun(run.id, { status: "cancelled", output: null, error: null, completedAt: at(5) }),
    ).toBe(true);
    expect(await store.getRun(run.id)).toMatchObject({
      status: "cancelled",
      startedAt: null,
      durationMs: null,
    });
  });

  test("an unknown run or a status that is not final is refused", async () => {
    const store = openTempStore();
    expect(
      await store.finishRun("run_missing", {
        status: "completed",
        output: 1,
        error: null,
        completedAt: at(0),
      }),
    ).toBe(false);
    await expect(
      store.finishRun("run_x", {
        status: "running" as "completed",
        output: null,
        error: null,
        completedAt: at(0),
      }),
    ).rejects.toThrow("finishRun: status must be one of completed, failed, cancelled, got running");
  });
});

describe("workflow versions", () => {
  test("each new content gets the next number; a known one is returned as first stored", async () => {
    const store = openTempStore();
    const v1 = await store.saveVersion(workflowVersion("orders", "sha256:1"), at(0));
    const v2 = await store.saveVersion(workflowVersion("orders", "sha256:2", "Renamed"), at(1_000));
    const again = await store.saveVersion(workflowVersion("orders", "sha256:1"), at(2_000));
    const other = await store.saveVersion(workflowVersion("billing", "sha256:1"), at(3_000));
    expect([v1.version, v2.version, again.version, other.version]).toEqual([1, 2, 1, 1]);
    expect(again).toEqual(v1);
    expect(v1).toEqual({ ...workflowVersion("orders", "sha256:1"), version: 1, firstSeenAt: at(0) });
    expect(await store.getVersion("orders", "sha256:2")).toEqual(v2);
    expect(await store.getVersion("orders", "sha256:3")).toBeNull();
    expect((await store.listVersions("orders")).map((version) => version.versionId)).toEqual([
      "sha256:1",
      "sha256:2",
    ]);
    expect(await store.listVersions("unknown")).toEqual([]);
  });

  test("versions saved concurrently still get distinct numbers", async () => {
    const store = openTempStore();
    const saved = await Promise.all(
      ["a", "b", "c", "a"].map((hash) =>
        store.saveVersion(workflowVersion("orders", `sha256:${hash}`), at(0)),
      ),
    );
    expect(saved.map((version) => version.version)).toEqual([1, 2, 3, 1]);
  });
});
