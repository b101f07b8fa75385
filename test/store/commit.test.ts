import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/index.ts";
import { at, cleanup, closeAfterTest, idsAt, newRun, nth, openTempStore, tempDir } from "./helpers.ts";

afterEach(cleanup);

/** A second connection, like another process reading the file. */
function otherConnection(path: string): { runIds: () => string[]; close: () => void } {
  const db = new Database(path, { readonly: true });
  const query = db.query<{ id: string }, []>("SELECT id FROM runs ORDER BY seq");
  return { runIds: () => query.all().map((row) => row.id), close: () => db.close() };
}

describe("group commit", () => {
  test("writes of one tick are committed together before the next macrotask, and only then acknowledged", async () => {
    const path = join(tempDir(), "wfd.db");
    const store = closeAfterTest(openSqliteStore({ path }));
    const reader = otherConnection(path);
    const runs = Array.from({ length: 10 }, () => newRun());
    const acknowledged: string[][] = [];
    const promises = runs.map((run) =>
      store.createRun(run).then(() => {
        acknowledged.push(reader.runIds());
      }),
    );
    expect(reader.runIds()).toEqual([]);
    const afterFlush = await new Promise<string[]>((resolve) => setImmediate(() => resolve(reader.runIds())));
    await Promise.all(promises);
    reader.close();
    const ids = runs.map((run) => run.id);
    expect(afterFlush).toEqual(ids);
    expect(acknowledged).toEqual(Array(10).fill(ids));
  });

  test("after a busy batch the next flush waits one more macrotask, so writes queued meanwhile share its commit", async () => {
    const path = join(tempDir(), "wfd.db");
    const store = closeAfterTest(openSqliteStore({ path }));
    const reader = otherConnection(path);
    const busy = Array.from({ length: 8 }, () => newRun());
    await Promise.all(busy.map((run) => store.createRun(run)));
    const [first, second] = [newRun(), newRun()];
    let firstAcknowledged = false;
    const creations = [store.createRun(first).then(() => (firstAcknowledged = true))];
    const nextTurn = await new Promise<{ committed: string[]; acknowledged: boolean }>((resolve) =>
      setImmediate(() => {
        creations.push(store.createRun(second).then(() => true));
        resolve({ committed: reader.runIds(), acknowledged: firstAcknowledged });
      }),
    );
    await Promise.all(creations);
    const afterBoth = reader.runIds();
    reader.close();
    expect(nextTurn).toEqual({ committed: busy.map((run) => run.id), acknowledged: false });
    expect(afterBoth).toEqual([...busy, first, second].map((run) => run.id));
  });

  test("after a small batch a write is committed on the next macrotask", async () => {
    const path = join(tempDir(), "wfd.db");
    const store = closeAfterTest(openSqliteStore({ path }));
    const reader = otherConnection(path);
    const [lone, next] = [newRun(), newRun()];
    await store.createRun(lone);
    const created = store.createRun(next);
    const nextTurn = await new Promise<string[]>((resolve) => setImmediate(() => resolve(reader.runIds())));
    await created;
    reader.close();
    expect(nextTurn).toEqual([lone.id, next.id]);
  });

  test("commitStats counts the transactions that stored something and the writes they held", async () => {
    const store = openTempStore();
    await Promise.all(Array.from({ length: 10 }, () => store.createRun(newRun())));
    expect(store.commitStats()).toEqual({ commits: 1, writes: 10 });
    const existing = newRun();
    await store.createRun(existing);
    await expect(store.createRun(existing)).rejects.toThrow("already exists");
    expect(store.commitStats()).toEqual({ commits: 2, writes: 11 });
    const results = await Promise.allSettled([store.createRun(existing), store.createRun(newRun())]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "fulfilled"]);
    expect(store.commitStats()).toEqual({ commits: 3, writes: 12 });
  });

  test("without group commit each write is committed when its call returns", async () => {
    const path = join(tempDir(), "wfd.db");
    const store = closeAfterTest(openSqliteStore({ path, groupCommit: false }));
    const reader = otherConnection(path);
    const run = newRun();
    const pending = store.createRun(run);
    expect(reader.runIds()).toEqual([run.id]);
    await pending;
    reader.close();
    await store.createRun(newRun());
    expect(store.commitStats()).toEqual({ commits: 2, writes: 2 });
  });

  test("a failing operation is rejected alone; the rest of its batch commits", async () => {
    const store = openTempStore();
    const existing = newRun();
    await store.createRun(existing);
    const good = [newRun(), newRun()];
    const results = await Promise.allSettled([
      store.createRun(nth(good, 0)),
      store.createRun({ ...existing, input: "duplicate" }),
      store.appendLogs("run_missing", [{ ts: at(0), stepId: null, stream: "system", line: "x" }]),
      store.createRun(nth(good, 1)),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe(
      `createRun: a run with id ${existing.id} already exists`,
    );
    expect((results[2] as PromiseRejectedResult).reason.message).toBe(
      "appendLogs: run run_missing does not exist",
    );
    const listed = (await store.listRuns({ limit: 10 })).runs.map((run) => run.id);
    expect(listed).toEqual([...idsAt(good, [1, 0]), existing.id]);
    expect((await store.getRun(existing.id))?.input).toEqual(existing.input);
  });

  test("close commits what is queued, and later calls are refused", async () => {
    const path = join(tempDir(), "wfd.db");
    const store = openSqliteStore({ path });
    const run = newRun();
    const created = store.createRun(run);
    await store.close();
    expect((await created).outcome).toBe("created");
    await expect(store.createRun(newRun())).rejects.toThrow(`The store ${path} is closed`);
    await expect(store.getRun(run.id)).rejects.toThrow(`The store ${path} is closed`);
    await store.close();
    const reopened = closeAfterTest(openSqliteStore({ path }));
    expect((await reopened.getRun(run.id))?.id).toBe(run.id);
  });

  test("checkpoint moves the WAL into the database file and truncates it", async () => {
    const path = join(tempDir(), "wfd.db");
    const store = closeAfterTest(openSqliteStore({ path }));
    await Promise.all(Array.from({ length: 20 }, () => store.createRun(newRun())));
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    await store.checkpoint();
    expect(statSync(`${path}-wal`).size).toBe(0);
    expect(await store.countRunsByStatus("pending")).toBe(20);
  });
});
