import { afterEach, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { formatProblem } from "../../src/core/workflow.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { sha256Hex } from "../../src/lib/hash.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { openSqliteStore, type SqliteStore } from "../../src/store/index.ts";
import { isWorkflowPath } from "../../src/workflows/files.ts";
import { type RegistryEvents, WorkflowRegistry } from "../../src/workflows/registry.ts";

const START = Date.parse("2026-01-15T10:00:00.000Z");
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A valid workflow file; `greeting` varies the content (and so the version). */
function workflowYaml(name: string, options: { id?: string; greeting?: string } = {}): string {
  const idLine = options.id ? `id: ${options.id}\n` : "";
  const greeting = options.greeting ?? "hello";
  return `${idLine}name: ${name}\nsteps:\n  - id: only\n    type: transform\n    config:\n      mapping: { greeting: ${greeting} }\n`;
}

const BROKEN = "name: Broken\nsteps:\n  - id: only\n    type: teleport\n";

type Recorded = { [K in keyof RegistryEvents]: { type: K } & RegistryEvents[K] }[keyof RegistryEvents];

async function setup(files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), "wfd-registry-"));
  const store: SqliteStore = openSqliteStore({ path: ":memory:" });
  cleanups.push(
    () => store.close(),
    () => rm(dir, { recursive: true, force: true }),
  );
  for (const [file, content] of Object.entries(files)) await put(dir, file, content);
  const clock = new ManualClock(START);
  const logs: string[] = [];
  const logger = createLogger({ level: "debug", write: (line) => logs.push(line) });
  const registry = new WorkflowRegistry({ dir, store, clock, logger });
  const events: Recorded[] = [];
  registry.events.on("workflow:updated", (payload) => events.push({ type: "workflow:updated", ...payload }));
  registry.events.on("workflow:removed", (payload) => events.push({ type: "workflow:removed", ...payload }));
  registry.events.on("workflow:invalid", (payload) => events.push({ type: "workflow:invalid", ...payload }));
  return { dir, store, clock, logs, registry, events };
}

async function put(dir: string, file: string, content: string): Promise<void> {
  await mkdir(dirname(join(dir, file)), { recursive: true });
  await writeFile(join(dir, file), content);
}

describe("initial load", () => {
  test("saves every workflow file as version 1 and lists them by id, skipping non-workflow files", async () => {
    const a = workflowYaml("A");
    const { registry, events } = await setup({
      "b.yaml": workflowYaml("B"),
      "a.yml": a,
      "sub/deeper/c.yaml": workflowYaml("C"),
      ".hidden.yaml": BROKEN,
      ".git/x.yaml": BROKEN,
      "node_modules/pkg/x.yaml": BROKEN,
      "notes.txt": "not yaml",
      "b.yaml~": BROKEN,
    });
    expect(registry.ready).toBe(false);
    expect(await registry.loadAll()).toEqual({ problems: [] });
    expect(registry.ready).toBe(true);
    expect(registry.list().map((entry) => [entry.id, entry.file, entry.version.version])).toEqual([
      ["a", "a.yml", 1],
      ["b", "b.yaml", 1],
      ["c", "sub/deeper/c.yaml", 1],
    ]);
    const entryA = registry.get("a");
    expect(entryA?.version.versionId).toBe(`sha256:${sha256Hex(a)}`);
    expect(entryA?.version.definition.name).toBe("A");
    expect(entryA?.errors).toEqual([]);
    expect(entryA?.updatedAt).toBe("2026-01-15T10:00:00.000Z");
    expect(
      events.map((event) => event.type === "workflow:updated" && [event.id, event.previousVersionId]),
    ).toEqual([
      ["a", null],
      ["b", null],
      ["c", null],
    ]);
  });

  test("a missing directory is a clear error naming it", async () => {
    const { dir, store } = await setup({});
    const missing = join(dir, "missing");
    const registry = new WorkflowRegistry({ dir: missing, store });
    await expect(registry.loadAll()).rejects.toThrow(`workflows directory ${missing} does not exist`);
    expect(registry.ready).toBe(false);
  });

  test("a second loadAll resynchronises: vanished files are removed, new ones added", async () => {
    const { dir, registry, events } = await setup({
      "a.yaml": workflowYaml("A"),
      "b.yaml": workflowYaml("B"),
    });
    await registry.loadAll();
    await unlink(join(dir, "a.yaml"));
    await put(dir, "c.yaml", workflowYaml("C"));
    await registry.loadAll();
    expect(registry.list().map((entry) => entry.id)).toEqual(["b", "c"]);
    expect(events.slice(2).map((event) => [event.type, "id" in event ? event.id : null])).toEqual([
      ["workflow:removed", "a"],
      ["workflow:updated", "c"],
    ]);
  });
});

describe("edits", () => {
  test("an edit becomes version 2; the same content again is no new version; old content reuses its number", async () => {
    const { dir, store, clock, registry, events } = await setup({ "a.yaml": workflowYaml("A") });
    await registry.loadAll();
    const v1 = registry.get("a")?.version;
    await clock.advance(60_000);
    await put(dir, "a.yaml", workflowYaml("A", { greeting: "hi" }));
    await registry.refreshFile("a.yaml");
    const v2 = registry.get("a");
    expect(v2?.version.version).toBe(2);
    expect(v2?.updatedAt).toBe("2026-01-15T10:01:00.000Z");
    expect(events.at(-1)).toEqual({
      type: "workflow:updated",
      id: "a",
      version: v2?.version as never,
      previousVersionId: v1?.versionId ?? "",
    });

    await clock.advance(60_000);
    await put(dir, "a.yaml", workflowYaml("A", { greeting: "hi" }));
    await registry.refreshFile(join(dir, "a.yaml"));
    expect(events).toHaveLength(2);
    expect(registry.get("a")).toEqual(v2 as never);

    await put(dir, "a.yaml", workflowYaml("A"));
    await registry.refreshFile("a.yaml");
    expect(registry.get("a")?.version.version).toBe(1);
    expect(events).toHaveLength(3);
    expect((await store.listVersions("a")).map((version) => version.version)).toEqual([1, 2]);
  });

  test("an invalid edit keeps the last good version, records and logs its problems; a fix clears them", async () => {
    const { dir, logs, registry, events } = await setup({ "a.yaml": workflowYaml("A") });
    await registry.loadAll();
    await put(dir, "a.yaml", BROKEN);
    await registry.refreshFile("a.yaml");
    const entry = registry.get("a");
    expect(entry?.version.version).toBe(1);
    expect(entry?.version.definition.name).toBe("A");
    expect(entry?.errors.length).toBeGreaterThan(0);
    expect(entry?.errors[0]?.file).toBe("a.yaml");
    expect(entry?.errors[0]?.line).toBe(4);
    expect(entry?.errors.map((problem) => problem.message).join()).toContain("teleport");
    expect(registry.orphanProblems()).toEqual([]);
    expect(events.at(-1)).toEqual({
      type: "workflow:invalid",
      file: "a.yaml",
      id: "a",
      problems: entry?.errors ?? [],
    });
    const warnings = logs.map((line) => JSON.parse(line)).filter((line) => line.level === "warn");
    const messages = warnings.map((line) => line.msg).join("\n");
    for (const problem of entry?.errors ?? []) expect(messages).toContain(formatProblem(problem));

    await put(dir, "a.yaml", workflowYaml("A", { greeting: "fixed" }));
    await registry.refreshFile("a.yaml");
    expect(registry.get("a")?.errors).toEqual([]);
    expect(registry.get("a")?.version.version).toBe(2);
  });

  test("fixing an invalid edit back to the current content clears the errors without an update event", async () => {
    const { dir, registry, events } = await setup({ "a.yaml": workflowYaml("A") });
    await registry.loadAll();
    await put(dir, "a.yaml", BROKEN);
    await registry.refreshFile("a.yaml");
    await put(dir, "a.yaml", workflowYaml("A"));
    await registry.refreshFile("a.yaml");
    expect(registry.get("a")?.errors).toEqual([]);
    expect(events.map((event) => event.type)).toEqual(["workflow:updated", "workflow:invalid"]);
  });

  test("a broken new file provides no workflow and is listed as an orphan problem until fixed", async () => {
    const { dir, registry, events } = await setup({ "broken.yaml": BROKEN });
    const { problems } = await registry.loadAll();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.file === "broken.yaml")).toBe(true);
    expect(registry.orphanProblems()).toEqual(problems);
    expect(registry.get("broken")).toBeUndefined();
    expect(events).toEqual([{ type: "workflow:invalid", file: "broken.yaml", id: null, problems }]);

    await put(dir, "broken.yaml", workflowYaml("Fixed"));
    await registry.refreshFile("broken.yaml");
    expect(registry.orphanProblems()).toEqual([]);
    expect(registry.get("broken")?.version.version).toBe(1);
  });

  test("a deleted broken file takes its problems with it", async () => {
    const { dir, registry } = await setup({ "broken.yaml": BROKEN });
    await registry.loadAll();
    await unlink(join(dir, "broken.yaml"));
    await registry.refreshFile("broken.yaml");
    expect(registry.orphanProblems()).toEqual([]);
  });

  test("a file whose id changes removes the old id and adds the new one", async () => {
    const { dir, registry, events } = await setup({ "a.yaml": workflowYaml("A") });
    await registry.loadAll();
    await put(dir, "a.yaml", workflowYaml("A", { id: "renamed" }));
    await registry.refreshFile("a.yaml");
    expect(registry.get("a")).toBeUndefined();
    expect(registry.get("renamed")?.file).toBe("a.yaml");
    expect(events.slice(1).map((event) => [event.type, "id" in event ? event.id : null])).toEqual([
      ["workflow:removed", "a"],
      ["workflow:updated", "renamed"],
    ]);
  });
});

describe("deletes, renames and duplicates", () => {
  test("a deleted workflow accepts no new runs but its versions stay readable", async () => {
    const { dir, registry, events } = await setup({
      "a.yaml": workflowYaml("A"),
      "b.yaml": workflowYaml("B"),
    });
    await registry.loadAll();
    const version = registry.get("a")?.version;
    await unlink(join(dir, "a.yaml"));
    await registry.refreshFile("a.yaml");
    await registry.removeFile("b.yaml");
    expect(registry.get("a")).toBeUndefined();
    expect(registry.list()).toEqual([]);
    expect(events.slice(2)).toEqual([
      { type: "workflow:removed", id: "a", file: "a.yaml" },
      { type: "workflow:removed", id: "b", file: "b.yaml" },
    ]);
    const kept = await registry.getVersion("a", version?.versionId ?? "");
    expect(kept?.version).toBe(1);
    expect(kept?.definition.name).toBe("A");
    expect(await registry.getVersion("a", "sha256:unknown")).toBeNull();
  });

  test("renaming a file without id: removes the old id and adds the new one", async () => {
    const { dir, registry, events } = await setup({ "a.yaml": workflowYaml("A") });
    await registry.loadAll();
    await rename(join(dir, "a.yaml"), join(dir, "b.yaml"));
    await registry.refreshFile("b.yaml");
    await registry.refreshFile("a.yaml");
    expect(registry.list().map((entry) => [entry.id, entry.file])).toEqual([["b", "b.yaml"]]);
    expect(events.slice(1).map((event) => [event.type, "id" in event ? event.id : null])).toEqual([
      ["workflow:updated", "b"],
      ["workflow:removed", "a"],
    ]);
  });

  test("renaming a file with id: keeps the workflow whichever event comes first", async () => {
    for (const order of [
      ["b.yaml", "a.yaml"],
      ["a.yaml", "b.yaml"],
    ]) {
      const { dir, registry } = await setup({ "a.yaml": workflowYaml("A", { id: "keep" }) });
      await registry.loadAll();
      const before = registry.get("keep");
      await rename(join(dir, "a.yaml"), join(dir, "b.yaml"));
      for (const file of order) await registry.refreshFile(file);
      const after = registry.get("keep");
      expect(after?.file).toBe("b.yaml");
      expect(after?.version.version).toBe(1);
      expect(after?.version.versionId).toBe(before?.version.versionId ?? "");
      expect(registry.orphanProblems()).toEqual([]);
    }
  });

  test("a move with id: where the new file arrives first is a silent handover", async () => {
    const { dir, registry, events } = await setup({ "a.yaml": workflowYaml("A", { id: "keep" }) });
    await registry.loadAll();
    await rename(join(dir, "a.yaml"), join(dir, "b.yaml"));
    await registry.refreshFile("b.yaml");
    await registry.refreshFile("a.yaml");
    // The new file is briefly a duplicate; the workflow itself is never removed nor re-versioned.
    expect(events.map((event) => event.type)).toEqual(["workflow:updated", "workflow:invalid"]);
  });

  test("two files with the same id: the first keeps it, the second waits and takes over on delete", async () => {
    const { dir, registry, events } = await setup({
      "a.yaml": workflowYaml("A", { id: "shared" }),
      "b.yaml": `# defines the same id\n${workflowYaml("B", { id: "shared" })}`,
    });
    const { problems } = await registry.loadAll();
    const duplicate = {
      file: "b.yaml",
      line: 2,
      col: 1,
      message: 'workflow id "shared" is already defined in a.yaml',
    };
    expect(problems).toEqual([duplicate]);
    expect(registry.orphanProblems()).toEqual([duplicate]);
    expect(registry.get("shared")?.file).toBe("a.yaml");
    expect(events.at(-1)).toEqual({
      type: "workflow:invalid",
      file: "b.yaml",
      id: null,
      problems: [duplicate],
    });

    const first = registry.get("shared")?.version;
    await unlink(join(dir, "a.yaml"));
    await registry.refreshFile("a.yaml");
    const taken = registry.get("shared");
    expect(taken?.file).toBe("b.yaml");
    expect(taken?.version.definition.name).toBe("B");
    expect(taken?.version.version).toBe(2);
    expect(registry.orphanProblems()).toEqual([]);
    expect(events.at(-1)).toEqual({
      type: "workflow:updated",
      id: "shared",
      version: taken?.version as never,
      previousVersionId: first?.versionId ?? "",
    });
    expect(events.some((event) => event.type === "workflow:removed")).toBe(false);
  });

  test("a waiting duplicate that changes to a free id is loaded under it", async () => {
    const { dir, registry } = await setup({
      "a.yaml": workflowYaml("A", { id: "shared" }),
      "b.yaml": workflowYaml("B", { id: "shared" }),
    });
    await registry.loadAll();
    await put(dir, "b.yaml", workflowYaml("B", { id: "own" }));
    await registry.refreshFile("b.yaml");
    expect(registry.list().map((entry) => [entry.id, entry.file])).toEqual([
      ["own", "b.yaml"],
      ["shared", "a.yaml"],
    ]);
    expect(registry.orphanProblems()).toEqual([]);
  });
});

describe("robustness", () => {
  test("concurrent refreshes of one file run one at a time: one new version, one event", async () => {
    const { dir, registry, events } = await setup({ "a.yaml": workflowYaml("A") });
    await registry.loadAll();
    await put(dir, "a.yaml", workflowYaml("A", { greeting: "again" }));
    await Promise.all([
      registry.refreshFile("a.yaml"),
      registry.refreshFile("a.yaml"),
      registry.refreshFile("a.yaml"),
    ]);
    expect(events.filter((event) => event.type === "workflow:updated")).toHaveLength(2);
    expect(registry.get("a")?.version.version).toBe(2);
  });

  test("a store failure rejects that refresh, keeps the current version and does not block later ones", async () => {
    const { dir, store, registry } = await setup({ "a.yaml": workflowYaml("A") });
    await registry.loadAll();
    const saveVersion = store.saveVersion.bind(store);
    store.saveVersion = () => Promise.reject(new Error("disk full"));
    await put(dir, "a.yaml", workflowYaml("A", { greeting: "new" }));
    await expect(registry.refreshFile("a.yaml")).rejects.toThrow("disk full");
    store.saveVersion = saveVersion;
    await registry.refreshFile("a.yaml");
    expect(registry.get("a")?.version.version).toBe(2);
  });

  test("paths outside the workflows directory are refused", async () => {
    const { dir, registry } = await setup({});
    await registry.loadAll();
    await expect(registry.refreshFile("../elsewhere.yaml")).rejects.toThrow(
      "is not a file inside the workflows directory",
    );
    await expect(registry.removeFile(join(dir, "..", "x.yaml"))).rejects.toThrow("is not a file inside");
  });

  test("isWorkflowPath accepts .yaml/.yml files and skips dot-files, backups and node_modules", () => {
    expect(["a.yaml", "a.yml", "sub/b.yaml", "x-y_z.yaml"].map(isWorkflowPath)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    const skipped = [
      ".#a.yaml",
      ".a.yaml.swp",
      "a.yaml~",
      "node_modules/a.yaml",
      ".git/a.yaml",
      "a.json",
      "a.yaml.tmp",
    ];
    expect(skipped.filter(isWorkflowPath)).toEqual([]);
  });
});
