import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openSqliteStore, type SynchronousMode } from "../../src/store/index.ts";
import { applyMigrations, MIGRATIONS, type Migration } from "../../src/store/migrations.ts";
import { cleanup, closeAfterTest, newRun, tempDir } from "./helpers.ts";

afterEach(cleanup);

const NEWEST = MIGRATIONS.at(-1)?.version ?? 0;

function inspect(path: string): { userVersion: number; journalMode: string; tables: string[] } {
  const db = new Database(path, { readonly: true });
  try {
    const userVersion =
      db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? -1;
    const journalMode =
      db.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode ?? "";
    const tables = db
      .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => row.name);
    return { userVersion, journalMode, tables };
  } finally {
    db.close();
  }
}

describe("opening and migrations", () => {
  test("the migration list is numbered 1, 2, 3... without gaps", () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(MIGRATIONS.map((_, index) => index + 1));
  });

  test("an empty directory gets the file, WAL mode and every table at the newest version", async () => {
    const path = join(tempDir(), "nested", "data", "wfd.db");
    await openSqliteStore({ path }).close();
    const state = inspect(path);
    expect(state.userVersion).toBe(NEWEST);
    expect(state.journalMode).toBe("wal");
    expect(state.tables).toEqual(
      expect.arrayContaining([
        "idempotency_keys",
        "run_logs",
        "run_steps",
        "runs",
        "schedule_slots",
        "workflow_versions",
      ]),
    );
  });

  test("reopening keeps the data and the schema version", async () => {
    const path = join(tempDir(), "wfd.db");
    const first = openSqliteStore({ path });
    const run = newRun();
    await first.createRun(run);
    await first.close();
    const second = closeAfterTest(openSqliteStore({ path }));
    expect((await second.getRun(run.id))?.id).toBe(run.id);
    expect(inspect(path).userVersion).toBe(NEWEST);
  });

  test("a database with a newer schema is refused with the path and the versions", () => {
    const path = join(tempDir(), "wfd.db");
    const db = new Database(path, { create: true });
    db.run(`PRAGMA user_version = ${NEWEST + 1}`);
    db.close();
    expect(() => openSqliteStore({ path })).toThrow(
      `Cannot open the database ${path}: its schema version ${NEWEST + 1} is newer than the newest this wfd knows (${NEWEST}); upgrade wfd`,
    );
  });

  test("a file that is not a SQLite database is refused with the path", () => {
    const path = join(tempDir(), "wfd.db");
    writeFileSync(path, "this is a text file, not a database\n".repeat(200));
    expect(() => openSqliteStore({ path })).toThrow(
      `Cannot open the database ${path}: file is not a database`,
    );
  });

  // Tests run as root, which ignores directory permissions; a path below a regular file fails for anyone.
  test("a directory that cannot be created is refused with the path and the cause", () => {
    const file = join(tempDir(), "file");
    writeFileSync(file, "x");
    const path = join(file, "x", "wfd.db");
    expect(() => openSqliteStore({ path })).toThrow(
      `Cannot open the database ${path}: cannot create the directory ${join(file, "x")} (ENOTDIR`,
    );
  });

  test("an unknown synchronous mode is refused before anything is created", () => {
    const path = join(tempDir(), "wfd.db");
    expect(() => openSqliteStore({ path, synchronous: "EXTRA" as SynchronousMode })).toThrow(
      "synchronous: expected one of FULL, NORMAL, OFF, got EXTRA",
    );
    expect(Bun.file(path).size).toBe(0);
  });

  test("an in-memory store works without WAL", async () => {
    const store = closeAfterTest(openSqliteStore({ path: ":memory:" }));
    const run = newRun();
    expect((await store.createRun(run)).outcome).toBe("created");
    expect((await store.getRun(run.id))?.status).toBe("pending");
  });
});

describe("migration 4: steps keyed by (run, step), no completed_at index", () => {
  const T = "2026-01-15T10:00:00.000Z";
  const LATER = "2026-03-01T00:00:00.000Z";

  /** A database at schema version 3 holding one finished run with two steps, stored out of order. */
  function databaseAtVersion3(path: string): void {
    const db = new Database(path, { create: true, strict: true });
    applyMigrations(db, MIGRATIONS.slice(0, 3));
    db.run(
      `INSERT INTO runs (id, workflow_id, workflow_version, version_id, status, output, trigger, created_at,
         started_at, completed_at) VALUES ('run_old', 'wf', 1, 'sha256:v', 'completed', '{"ok":true}',
         '{"type":"api"}', ?1, ?1, ?1)`,
      [T],
    );
    const step = db.prepare(
      `INSERT INTO run_steps (run_id, step_id, position, type, status, attempts, started_at, completed_at, output)
       VALUES ('run_old', ?1, ?2, 'transform', 'completed', 1, ?3, ?3, ?4)`,
    );
    step.run("zeta", 0, T, '{"n":1}');
    step.run("alpha", 1, T, '{"n":2}');
    db.close();
  }

  function schemaSql(path: string, name: string): string {
    const db = new Database(path, { readonly: true });
    try {
      return (
        db.query<{ sql: string }, [string]>("SELECT sql FROM sqlite_master WHERE name = ?").get(name)?.sql ??
        ""
      );
    } finally {
      db.close();
    }
  }

  test("keeps every step of an existing database in its order, and pruning still removes them", async () => {
    const path = join(tempDir(), "wfd.db");
    databaseAtVersion3(path);
    const store = closeAfterTest(openSqliteStore({ path }));
    const run = await store.getRun("run_old");
    expect(run?.steps.map((step) => [step.id, step.output])).toEqual([
      ["zeta", { n: 1 }],
      ["alpha", { n: 2 }],
    ]);
    expect(schemaSql(path, "run_steps")).toContain("WITHOUT ROWID");
    expect(schemaSql(path, "runs_completed_at")).toBe("");
    expect(inspect(path).userVersion).toBe(NEWEST);
    expect(await store.pruneRuns(T)).toBe(0);
    expect(await store.pruneRuns(LATER)).toBe(1);
    expect(await store.getRun("run_old")).toBeNull();
    const leftSteps = new Database(path, { readonly: true });
    const count = leftSteps.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM run_steps").get()?.n;
    leftSteps.close();
    expect(count).toBe(0);
  });
});

describe("migration 5: steps of a run stored finished kept in its row", () => {
  test("adds the column empty: runs stored before keep their steps as rows", async () => {
    const path = join(tempDir(), "wfd.db");
    const db = new Database(path, { create: true, strict: true });
    applyMigrations(db, MIGRATIONS.slice(0, 4));
    db.run(
      `INSERT INTO runs (id, workflow_id, workflow_version, version_id, status, trigger, created_at)
       VALUES ('run_v4', 'wf', 1, 'sha256:v', 'completed', '{"type":"api"}', '2026-01-15T10:00:00.000Z')`,
    );
    db.run(
      `INSERT INTO run_steps (run_id, step_id, position, type, status, attempts, output)
       VALUES ('run_v4', 'only', 0, 'transform', 'completed', 1, '{"kept":true}')`,
    );
    db.close();
    const store = closeAfterTest(openSqliteStore({ path }));
    expect((await store.getRun("run_v4"))?.steps.map((step) => [step.id, step.output])).toEqual([
      ["only", { kept: true }],
    ]);
    const check = new Database(path, { readonly: true });
    const inline = check
      .query<{ steps: string | null }, []>("SELECT steps FROM runs WHERE id = 'run_v4'")
      .get();
    check.close();
    expect(inline).toEqual({ steps: null });
  });
});

describe("applyMigrations", () => {
  const first: Migration = { version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER)" };
  const second: Migration = { version: 2, name: "b", sql: "CREATE TABLE b (y INTEGER)" };

  function tables(db: Database): string[] {
    return db
      .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => row.name);
  }

  test("applies only the missing migrations", () => {
    const db = new Database(":memory:");
    applyMigrations(db, [first]);
    db.run("INSERT INTO a VALUES (1)");
    applyMigrations(db, [first, second]);
    expect(tables(db)).toEqual(["a", "b"]);
    expect(db.query<{ x: number }, []>("SELECT x FROM a").all()).toEqual([{ x: 1 }]);
    expect(db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version).toBe(2);
  });

  test("a failing migration is rolled back whole and names itself", () => {
    const db = new Database(":memory:");
    const broken: Migration = {
      version: 2,
      name: "broken",
      sql: "CREATE TABLE c (z INTEGER); CREATE TABLE a (x)",
    };
    expect(() => applyMigrations(db, [first, broken])).toThrow(
      "migration 2 (broken) failed: table a already exists",
    );
    expect(tables(db)).toEqual(["a"]);
    expect(db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version).toBe(1);
  });
});

describe("synchronous modes", () => {
  for (const synchronous of ["FULL", "NORMAL", "OFF"] as const) {
    test(`${synchronous} opens and stores runs`, async () => {
      const path = join(tempDir(), "wfd.db");
      const store = openSqliteStore({ path, synchronous });
      const run = newRun();
      await store.createRun(run);
      await store.close();
      const reopened = closeAfterTest(openSqliteStore({ path }));
      expect((await reopened.getRun(run.id))?.id).toBe(run.id);
    });
  }
});
