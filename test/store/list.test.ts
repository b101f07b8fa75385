import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import type { RunStatus } from "../../src/core/run.ts";
import type { NewRun, RunListFilter } from "../../src/core/store.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import type { SqliteStore } from "../../src/store/index.ts";
import { applyMigrations } from "../../src/store/migrations.ts";
import { PRUNE_RUNS_SQL } from "../../src/store/statements.ts";
import { at, cleanup, idsAt, newRun, nth, openTempStore, T0 } from "./helpers.ts";

afterEach(cleanup);

async function createMany(
  store: SqliteStore,
  count: number,
  overrides: (index: number) => Partial<NewRun> = () => ({}),
) {
  const runs = Array.from({ length: count }, (_, index) => newRun(overrides(index)));
  // Sequential, so commit order is the order of the array.
  for (const run of runs) await store.createRun(run);
  return runs;
}

async function finish(
  store: SqliteStore,
  id: string,
  status: "completed" | "failed" | "cancelled",
  when: string,
) {
  await store.finishRun(id, { status, output: null, error: null, completedAt: when });
}

describe("listRuns", () => {
  test("pages newest first with a cursor until the last page says there is no more", async () => {
    const store = openTempStore();
    const runs = await createMany(store, 12);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listRuns({ limit: 5, ...(cursor && { cursor }) });
      seen.push(...page.runs.map((run) => run.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(runs.map((run) => run.id).reverse());
  });

  test("a page that ends exactly at the last run has no next cursor", async () => {
    const store = openTempStore();
    await createMany(store, 4);
    expect((await store.listRuns({ limit: 4 })).nextCursor).toBeNull();
  });

  test("runs inserted while a client pages through cause no repeats and no gaps", async () => {
    const store = openTempStore();
    const existing = await createMany(store, 30);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const inserting = Promise.all(Array.from({ length: 5 }, () => store.createRun(newRun())));
      const page = await store.listRuns({ limit: 7, ...(cursor && { cursor }) });
      await inserting;
      seen.push(...page.runs.map((run) => run.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(existing.map((run) => run.id).reverse());
  });

  test("listed runs carry their steps", async () => {
    const store = openTempStore();
    const created = await createMany(store, 2);
    const first = nth(created, 0).id;
    const second = nth(created, 1).id;
    const step = {
      type: "shell",
      status: "completed" as const,
      attempts: 1,
      error: null,
      completedAt: at(2),
    };
    await store.saveStep(first, { ...step, id: "a", startedAt: at(1), output: 1 });
    await store.saveStep(second, { ...step, id: "b", startedAt: at(1), output: 2 });
    await store.saveStep(first, { ...step, id: "c", startedAt: at(1), output: 3 });
    const { runs } = await store.listRuns({ limit: 10 });
    expect(runs.map((run) => [run.id, run.steps.map((s) => s.id)])).toEqual([
      [second, ["b"]],
      [first, ["a", "c"]],
    ]);
    expect(await store.getRun(first)).toEqual(nth(runs, 1));
  });

  test("filters by workflow, status and creation time, alone and together", async () => {
    const store = openTempStore();
    const runs = await createMany(store, 8, (index) => ({
      workflowId: index % 2 ? "billing" : "orders",
      createdAt: at(index * 1_000),
    }));
    const ids = (indexes: number[]) => idsAt(runs, indexes);
    await store.claimRun(nth(runs, 2).id, "w", at(60_000), at(0));
    await store.claimRun(nth(runs, 3).id, "w", at(60_000), at(0));
    const list = async (filter: Omit<RunListFilter, "limit">) =>
      (await store.listRuns({ limit: 100, ...filter })).runs.map((run) => run.id);

    expect(await list({ workflowId: "orders" })).toEqual(ids([6, 4, 2, 0]));
    expect(await list({ status: "running" })).toEqual(ids([3, 2]));
    expect(await list({ from: at(3_000), to: at(6_000) })).toEqual(ids([5, 4, 3]));
    expect(await list({ workflowId: "billing", status: "pending", from: at(2_000) })).toEqual(ids([7, 5]));
    expect(await list({ workflowId: "nothing" })).toEqual([]);
  });

  const badFilters: [string, RunListFilter, string][] = [
    ["a zero limit", { limit: 0 }, "limit: must be a positive integer, got 0"],
    ["a fractional limit", { limit: 1.5 }, "limit: must be a positive integer, got 1.5"],
    [
      "an unknown status",
      { limit: 5, status: "done" as RunStatus },
      "status: must be one of pending, running",
    ],
    ["a bad from", { limit: 5, from: "last week" }, 'from: not a valid ISO 8601 timestamp: "last week"'],
    [
      "a forged cursor",
      { limit: 5, cursor: "bm90LWEtY3Vyc29y" },
      "cursor: not a cursor returned by a previous page",
    ],
    [
      "a cursor that is not base64",
      { limit: 5, cursor: "%%%" },
      "cursor: not a cursor returned by a previous page",
    ],
  ];
  for (const [what, filter, message] of badFilters) {
    test(`${what} is a VALIDATION_ERROR naming the field`, async () => {
      const store = openTempStore();
      const field = message.split(":")[0] as string;
      const rejection = expect(store.listRuns(filter)).rejects;
      await rejection.toMatchObject({ code: "VALIDATION_ERROR", details: [{ path: [field] }] });
      await expect(store.listRuns(filter)).rejects.toThrow(message);
    });
  }
});

describe("status queries and stats", () => {
  test("listRunsByStatus returns the oldest first, up to the limit", async () => {
    const store = openTempStore();
    const runs = await createMany(store, 5);
    await store.claimRun(nth(runs, 1).id, "w", at(60_000), at(0));
    await finish(store, nth(runs, 2).id, "completed", at(1));
    const ids = (await store.listRunsByStatus(["pending", "running"])).map((run) => run.id);
    expect(ids).toEqual(idsAt(runs, [0, 1, 3, 4]));
    const limited = await store.listRunsByStatus(["pending"], 2);
    expect(limited.map((run) => run.id)).toEqual(idsAt(runs, [0, 3]));
    expect(await store.listRunsByStatus([])).toEqual([]);
    await expect(store.listRunsByStatus(["paused" as RunStatus])).rejects.toThrow(
      "listRunsByStatus: unknown status paused",
    );
  });

  test("countRunsByStatus and workflowStats count what is stored", async () => {
    const store = openTempStore();
    const runs = await createMany(store, 5, (index) => ({ createdAt: at(index * 1_000) }));
    await createMany(store, 1, () => ({ workflowId: "other", createdAt: at(99_000) }));
    await finish(store, nth(runs, 0).id, "completed", at(10));
    await finish(store, nth(runs, 1).id, "completed", at(10));
    await finish(store, nth(runs, 2).id, "failed", at(10));
    await finish(store, nth(runs, 3).id, "cancelled", at(10));
    expect(await store.countRunsByStatus("pending")).toBe(2);
    expect(await store.countRunsByStatus("completed")).toBe(2);
    expect(await store.workflowStats("process-order")).toEqual({
      totalRuns: 5,
      successCount: 2,
      failureCount: 1,
      lastRunAt: at(4_000),
    });
    expect(await store.workflowStats("never-ran")).toEqual({
      totalRuns: 0,
      successCount: 0,
      failureCount: 0,
      lastRunAt: null,
    });
  });
});

describe("pruneRuns", () => {
  test("deletes finished runs completed before the cutoff with their steps, logs and keys", async () => {
    const store = openTempStore({ clock: new ManualClock(T0) });
    const key = (name: string) => ({ idempotency: { key: name, requestHash: "h", expiresAt: at(10 ** 9) } });
    const old = newRun();
    const recent = newRun();
    const running = newRun();
    await store.createRun(old, key("old"));
    await store.createRun(recent, key("recent"));
    await store.createRun(running);
    await store.saveStep(old.id, {
      id: "s",
      type: "shell",
      status: "completed",
      attempts: 1,
      startedAt: at(0),
      completedAt: at(1),
      output: null,
      error: null,
    });
    await store.appendLogs(old.id, [{ ts: at(0), stepId: "s", stream: "stdout", line: "hello" }]);
    await finish(store, old.id, "completed", at(1_000));
    await finish(store, recent.id, "failed", at(5_000));
    await store.claimRun(running.id, "w", at(10 ** 9), at(0));

    expect(await store.pruneRuns(at(5_000))).toBe(1);
    expect(await store.getRun(old.id)).toBeNull();
    expect((await store.getLogs(old.id, 0, 10)).lines).toEqual([]);
    expect((await store.createRun(newRun(), key("old"))).outcome).toBe("created");
    expect((await store.createRun(newRun(), key("recent"))).outcome).toBe("replayed");
    expect((await store.getRun(running.id))?.status).toBe("running");
    expect(await store.pruneRuns(at(5_000))).toBe(0);
  });

  test("finds old runs through runs_created_at instead of visiting every finished run", () => {
    const db = new Database(":memory:");
    applyMigrations(db);
    const plan = db
      .query<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${PRUNE_RUNS_SQL.replaceAll("$before", "'2026'")}`)
      .all()
      .map((row) => row.detail);
    db.close();
    expect(plan).toEqual(["SEARCH runs USING INDEX runs_created_at (created_at<?)"]);
  });
});
