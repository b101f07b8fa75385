import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NewRun } from "../../src/core/store.ts";
import type { Workflow, WorkflowVersion } from "../../src/core/workflow.ts";
import { prefixedId } from "../../src/lib/ids.ts";
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from "../../src/store/index.ts";

const cleanups: Array<() => Promise<void> | void> = [];

/** Closes the stores and removes the directories of the test; each test file runs it in afterEach. */
export async function cleanup(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step();
}

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "wfd-store-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store on a new file in a temporary directory, closed after the test. */
export function openTempStore(options: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const store = openSqliteStore({ path: join(tempDir(), "wfd.db"), ...options });
  cleanups.push(() => store.close());
  return store;
}

/** Registers a store opened by the test itself for closing after it. */
export function closeAfterTest(store: SqliteStore): SqliteStore {
  cleanups.push(() => store.close());
  return store;
}

export const T0 = Date.parse("2026-01-15T10:00:00.000Z");

/** ISO time `ms` milliseconds after T0. */
export function at(ms: number): string {
  return new Date(T0 + ms).toISOString();
}

/** A new run with sensible defaults and a fresh sortable id. */
export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    id: prefixedId("run"),
    workflowId: "process-order",
    workflowVersion: 1,
    versionId: "sha256:abc",
    input: { customerId: "cus_1" },
    trigger: { type: "api", apiKey: "backend" },
    idempotencyKey: null,
    connectionId: null,
    entityType: null,
    entityId: null,
    webhookUrl: null,
    createdAt: at(0),
    ...overrides,
  };
}

/** A minimal workflow version. */
export function workflowVersion(
  workflowId: string,
  versionId: string,
  name = "Process order",
): WorkflowVersion {
  const definition: Workflow = {
    id: workflowId,
    name,
    status: "active",
    triggers: [{ type: "api" }],
    onRestart: "resume",
    steps: [],
    file: `${workflowId}.yaml`,
  };
  return { workflowId, versionId, definition, source: `name: ${name}\n` };
}

/** The item at `index`, which the test knows exists. */
export function nth<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item at index ${index}`);
  return item;
}

/** The ids of the runs at the given indexes, in that order. */
export function idsAt(runs: readonly NewRun[], indexes: number[]): string[] {
  return indexes.map((index) => nth(runs, index).id);
}
