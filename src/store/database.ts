import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { messageOf } from "../lib/message.ts";
import { applyMigrations, MIGRATIONS, type Migration } from "./migrations.ts";

/** Accepted values of SQLite's `synchronous` PRAGMA. */
export const SYNCHRONOUS_MODES = ["FULL", "NORMAL", "OFF"] as const;
export type SynchronousMode = (typeof SYNCHRONOUS_MODES)[number];

/** The path of a database that lives in memory only (tests, `wfd run` without a data dir). */
export const MEMORY_PATH = ":memory:";

/**
 * Opens the SQLite file at `path` (creating it and its directory), sets the PRAGMAs wfd relies
 * on and applies missing migrations. Every failure is an Error naming the path and the cause.
 */
export function openDatabase(
  path: string,
  synchronous: SynchronousMode,
  migrations: readonly Migration[] = MIGRATIONS,
): Database {
  if (!SYNCHRONOUS_MODES.includes(synchronous)) {
    throw new Error(
      `synchronous: expected one of ${SYNCHRONOUS_MODES.join(", ")}, got ${String(synchronous)}`,
    );
  }
  if (path !== MEMORY_PATH) ensureDirectory(path);
  let db: Database;
  try {
    db = new Database(path, { create: true, strict: true });
  } catch (error) {
    throw openError(path, error);
  }
  try {
    configure(db, synchronous, path === MEMORY_PATH);
    applyMigrations(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw openError(path, error);
  }
}

function ensureDirectory(path: string): void {
  const directory = dirname(path);
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw openError(path, new Error(`cannot create the directory ${directory} (${messageOf(error)})`));
  }
}

function configure(db: Database, synchronous: SynchronousMode, inMemory: boolean): void {
  // busy_timeout first: the WAL switch itself may wait for another process holding the file.
  db.run("PRAGMA busy_timeout = 5000");
  const mode = db.query<{ journal_mode: string }, []>("PRAGMA journal_mode = WAL").get()?.journal_mode;
  const expected = inMemory ? "memory" : "wal";
  if (mode?.toLowerCase() !== expected) {
    // SQLite silently keeps the old mode when it cannot create the -wal/-shm files.
    throw new Error(
      `could not switch to WAL journal mode (got ${mode ?? "nothing"}); is the directory writable?`,
    );
  }
  db.run(`PRAGMA synchronous = ${synchronous}`);
  db.run("PRAGMA foreign_keys = ON");
}

function openError(path: string, cause: unknown): Error {
  return new Error(`Cannot open the database ${path}: ${messageOf(cause)}`, { cause });
}
