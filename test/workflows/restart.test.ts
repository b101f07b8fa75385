import { afterEach, expect, spyOn, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ManualClock } from "../../src/lib/clock.ts";
import { openSqliteStore, type SqliteStore } from "../../src/store/index.ts";
import * as parse from "../../src/workflows/parse.ts";
import { WorkflowRegistry } from "../../src/workflows/registry.ts";

/*
 * A restart takes the stored version of every file whose exact bytes the same validator passed
 * before, instead of parsing and validating it again; anything else is validated as always.
 */

const START = Date.parse("2026-01-15T10:00:00.000Z");
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function workflowYaml(name: string, greeting = "hello"): string {
  return `name: ${name}\nsteps:\n  - id: only\n    type: transform\n    config:\n      mapping: { greeting: ${greeting} }\n`;
}

/** Two problems, on lines 4 and 5. */
const BROKEN = "name: Broken\nsteps:\n  - id: only\n    type: teleport\n    retry: sometimes\n";

async function project(files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), "wfd-restart-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const [file, content] of Object.entries(files)) await put(dir, file, content);
  // Not a workflow file, so the registry does not see it.
  const path = join(dir, "wfd.db");
  const clock = new ManualClock(START);
  /** Starts a registry on a freshly opened store, as a daemon start does; returns what it loaded. */
  const start = async (validator?: string) => {
    const store: SqliteStore = openSqliteStore({ path });
    cleanups.unshift(() => store.close());
    const registry = new WorkflowRegistry({ dir, store, clock, ...(validator ? { validator } : {}) });
    const parsed = spyOn(parse, "parseWorkflowFile");
    try {
      const { problems } = await registry.loadAll();
      const files = parsed.mock.calls.map(([file]) => file).sort();
      return { registry, store, problems, parsedFiles: files };
    } finally {
      parsed.mockRestore();
    }
  };
  return { dir, start };
}

async function put(dir: string, file: string, content: string): Promise<void> {
  await mkdir(dirname(join(dir, file)), { recursive: true });
  await writeFile(join(dir, file), content);
}

test("a restart with unchanged files takes their stored versions without validating them again", async () => {
  const { start } = await project({ "a.yaml": workflowYaml("A"), "sub/b.yaml": workflowYaml("B") });
  const first = await start();
  expect(first.parsedFiles).toEqual(["a.yaml", "sub/b.yaml"]);
  const before = first.registry.list();
  await first.store.close();

  const second = await start();
  expect(second.parsedFiles).toEqual([]);
  expect(second.problems).toEqual([]);
  expect(second.registry.list()).toEqual(before);
  expect((await second.store.listVersions("a")).map((version) => version.version)).toEqual([1]);
});

test("a changed file is validated again and gets the next version; the others are reused", async () => {
  const { dir, start } = await project({ "a.yaml": workflowYaml("A"), "b.yaml": workflowYaml("B") });
  await (await start()).store.close();
  await put(dir, "a.yaml", workflowYaml("A", "hi"));

  const second = await start();
  expect(second.parsedFiles).toEqual(["a.yaml"]);
  expect(second.registry.get("a")?.version.version).toBe(2);
  expect(second.registry.get("a")?.version.definition.steps[0]?.config).toEqual({
    mapping: { greeting: "hi" },
  });
  expect(second.registry.get("b")?.version.version).toBe(1);
  await second.store.close();

  // The new content was recorded: the next start reuses it too.
  const third = await start();
  expect(third.parsedFiles).toEqual([]);
  expect(third.registry.get("a")?.version.version).toBe(2);
});

test("another validator stamp validates every file again", async () => {
  const { start } = await project({ "a.yaml": workflowYaml("A"), "b.yaml": workflowYaml("B") });
  await (await start("checks 1")).store.close();
  const second = await start("checks 2");
  expect(second.parsedFiles).toEqual(["a.yaml", "b.yaml"]);
  expect(second.registry.list().map((entry) => [entry.id, entry.version.version])).toEqual([
    ["a", 1],
    ["b", 1],
  ]);
  await second.store.close();
  expect((await start("checks 2")).parsedFiles).toEqual([]);
});

test("invalid files report every problem after a restart, and never replace the last good version", async () => {
  const { dir, start } = await project({ "a.yaml": workflowYaml("A"), "broken.yaml": BROKEN });
  const first = await start();
  expect(first.problems.map((problem) => [problem.file, problem.line])).toEqual([
    ["broken.yaml", 4],
    ["broken.yaml", 5],
  ]);
  await first.store.close();
  await put(dir, "a.yaml", BROKEN);

  const second = await start();
  expect(second.parsedFiles).toEqual(["a.yaml", "broken.yaml"]);
  expect(second.problems).toEqual([
    ...first.problems.map((problem) => ({ ...problem, file: "a.yaml" })),
    ...first.problems,
  ]);
  // The store keeps version 1 of "a"; this start has no valid content for it.
  expect(second.registry.get("a")).toBeUndefined();
  expect((await second.store.listVersions("a")).map((version) => version.version)).toEqual([1]);
  await second.store.close();

  // Back to the first content: its record went when the file turned invalid, so it is validated
  // again, and keeps its version number.
  await put(dir, "a.yaml", workflowYaml("A"));
  const third = await start();
  expect(third.parsedFiles).toEqual(["a.yaml", "broken.yaml"]);
  expect(third.registry.get("a")?.version.version).toBe(1);
  expect(third.problems.map((problem) => problem.file)).toEqual(["broken.yaml", "broken.yaml"]);
});

test("a deleted file's record is dropped; the same bytes under another name are validated for that name", async () => {
  const { dir, start } = await project({ "a.yaml": workflowYaml("A") });
  await (await start()).store.close();
  await rm(join(dir, "a.yaml"));
  await put(dir, "c.yaml", workflowYaml("A"));
  const second = await start();
  expect(second.parsedFiles).toEqual(["c.yaml"]);
  expect(second.registry.list().map((entry) => [entry.id, entry.file])).toEqual([["c", "c.yaml"]]);
});

test("a refresh queued before the first load does nothing: the load reads the file as it is then", async () => {
  const { dir, start } = await project({});
  const store: SqliteStore = openSqliteStore({ path: join(dir, "wfd.db") });
  cleanups.unshift(() => store.close());
  const registry = new WorkflowRegistry({ dir, store, clock: new ManualClock(START) });
  await put(dir, "b.yaml", workflowYaml("B"));
  await registry.refreshFile("b.yaml");
  await registry.removeFile("b.yaml");
  expect(registry.list()).toEqual([]);
  await put(dir, "a.yaml", workflowYaml("A"));
  const loading = registry.loadAll();
  const refreshed = registry.refreshFile("a.yaml");
  await loading;
  await refreshed;
  expect(registry.list().map((entry) => [entry.id, entry.version.version])).toEqual([
    ["a", 1],
    ["b", 1],
  ]);
  await store.close();
  expect((await start()).parsedFiles).toEqual([]);
});
