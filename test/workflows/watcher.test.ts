import { afterEach, expect, test } from "bun:test";
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createLogger } from "../../src/lib/logger.ts";
import { openSqliteStore } from "../../src/store/index.ts";
import { type RegistryEvents, WorkflowRegistry } from "../../src/workflows/registry.ts";
import { WorkflowWatcher } from "../../src/workflows/watcher.ts";

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workflowYaml(name: string, options: { id?: string; greeting?: string } = {}): string {
  const idLine = options.id ? `id: ${options.id}\n` : "";
  const greeting = options.greeting ?? "hello";
  return `${idLine}name: ${name}\nsteps:\n  - id: only\n    type: transform\n    config:\n      mapping: { greeting: ${greeting} }\n`;
}

const BROKEN = "name: Broken\nsteps:\n  - id: only\n    type: teleport\n";

/** Fails with a message naming what was awaited instead of hanging the test. */
async function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function put(dir: string, file: string, content: string): Promise<void> {
  await mkdir(dirname(join(dir, file)), { recursive: true });
  await writeFile(join(dir, file), content);
}

async function watching(files: Record<string, string>) {
  const root = await mkdtemp(join(tmpdir(), "wfd-watcher-"));
  const dir = join(root, "workflows");
  for (const [file, content] of Object.entries(files)) await put(dir, file, content);
  await mkdir(dir, { recursive: true });
  const store = openSqliteStore({ path: ":memory:" });
  const errors: string[] = [];
  const logger = createLogger({ level: "error", write: (line) => errors.push(line) });
  const registry = new WorkflowRegistry({ dir, store, logger });
  await registry.loadAll();
  const watcher = new WorkflowWatcher({ registry, dir, logger });
  await watcher.start();
  cleanups.push(
    () => rm(root, { recursive: true, force: true }),
    () => store.close(),
    () => watcher.stop(),
  );
  const updated = (
    id: string,
    check: (payload: RegistryEvents["workflow:updated"]) => boolean = () => true,
  ) =>
    within(
      registry.events.waitFor("workflow:updated", (payload) => payload.id === id && check(payload)),
      `workflow:updated of ${id}`,
    );
  const removed = (id: string) =>
    within(
      registry.events.waitFor("workflow:removed", (payload) => payload.id === id),
      `workflow:removed of ${id}`,
    );
  const invalid = (file: string) =>
    within(
      registry.events.waitFor("workflow:invalid", (payload) => payload.file === file),
      `workflow:invalid of ${file}`,
    );
  return { root, dir, registry, watcher, errors, updated, removed, invalid };
}

test("an edit becomes a new version within moments of the write", async () => {
  const { dir, registry, updated, errors } = await watching({ "a.yaml": workflowYaml("A") });
  const first = registry.get("a")?.version;
  const event = updated("a");
  const writtenAt = performance.now();
  await put(dir, "a.yaml", workflowYaml("A", { greeting: "edited" }));
  const payload = await event;
  console.log(`write -> workflow:updated took ${(performance.now() - writtenAt).toFixed(1)} ms`);
  expect(payload.version.version).toBe(2);
  expect(payload.previousVersionId).toBe(first?.versionId ?? "");
  expect(registry.get("a")?.version.definition.steps[0]?.config).toEqual({ mapping: { greeting: "edited" } });
  expect(errors).toEqual([]);
});

test("rewriting the same content makes no new version", async () => {
  const { dir, registry, updated } = await watching({
    "a.yaml": workflowYaml("A"),
    "z.yaml": workflowYaml("Z"),
  });
  const seen: string[] = [];
  registry.events.on("workflow:updated", (payload) => seen.push(payload.id));
  const barrier = updated("z");
  await put(dir, "a.yaml", workflowYaml("A"));
  // Refreshes run in event order, so once the later write to z.yaml is processed, a.yaml's was too.
  await put(dir, "z.yaml", workflowYaml("Z", { greeting: "barrier" }));
  await barrier;
  expect(seen).toEqual(["z"]);
  expect(registry.get("a")?.version.version).toBe(1);
});

test("an invalid edit keeps the last good version with its errors; a fix clears them", async () => {
  const { dir, registry, updated, invalid } = await watching({ "a.yaml": workflowYaml("A") });
  const broken = invalid("a.yaml");
  await put(dir, "a.yaml", BROKEN);
  const { id, problems } = await broken;
  expect(id).toBe("a");
  expect(problems[0]?.message).toContain("teleport");
  expect(registry.get("a")?.version.version).toBe(1);
  expect(registry.get("a")?.errors).toEqual(problems);

  const fixed = updated("a");
  await put(dir, "a.yaml", workflowYaml("A", { greeting: "fixed" }));
  expect((await fixed).version.version).toBe(2);
  expect(registry.get("a")?.errors).toEqual([]);
});

test("a deleted workflow disappears but its versions stay readable", async () => {
  const { dir, registry, removed } = await watching({ "a.yaml": workflowYaml("A") });
  const version = registry.get("a")?.version;
  const gone = removed("a");
  await unlink(join(dir, "a.yaml"));
  expect(await gone).toEqual({ id: "a", file: "a.yaml" });
  expect(registry.get("a")).toBeUndefined();
  expect((await registry.getVersion("a", version?.versionId ?? ""))?.version).toBe(1);
});

test("a rename of a file without id: removes the old id and adds the new one", async () => {
  const { dir, registry, updated, removed } = await watching({ "a.yaml": workflowYaml("A") });
  const events = Promise.all([removed("a"), updated("b")]);
  await rename(join(dir, "a.yaml"), join(dir, "b.yaml"));
  await events;
  expect(registry.list().map((entry) => [entry.id, entry.file])).toEqual([["b", "b.yaml"]]);
});

test("an atomic save (temp file renamed over the original) is one new version of the final content", async () => {
  const { dir, registry, updated } = await watching({ "x.yaml": workflowYaml("X") });
  const seen: number[] = [];
  registry.events.on("workflow:updated", (payload) => seen.push(payload.version.version));
  const event = updated("x");
  await writeFile(join(dir, "x.yaml.tmp"), workflowYaml("X", { greeting: "atomic" }));
  await rename(join(dir, "x.yaml.tmp"), join(dir, "x.yaml"));
  expect((await event).version.definition.steps[0]?.config).toEqual({ mapping: { greeting: "atomic" } });
  expect(seen).toEqual([2]);
  expect(registry.orphanProblems()).toEqual([]);
});

test("delete and re-create within the debounce window is one refresh, not a removal", async () => {
  const { dir, registry, updated } = await watching({ "x.yaml": workflowYaml("X") });
  const removals: string[] = [];
  registry.events.on("workflow:removed", (payload) => removals.push(payload.id));
  const event = updated("x");
  await unlink(join(dir, "x.yaml"));
  await writeFile(join(dir, "x.yaml"), workflowYaml("X", { greeting: "recreated" }));
  expect((await event).version.version).toBe(2);
  expect(removals).toEqual([]);
});

test("files in a new subfolder, and a folder moved in and out, are loaded and removed", async () => {
  const { root, dir, registry, updated, removed } = await watching({});
  const nested = updated("n");
  await put(dir, "team/nested/n.yaml", workflowYaml("N"));
  await nested;
  expect(registry.get("n")?.file).toBe("team/nested/n.yaml");

  await put(root, "outside/m.yaml", workflowYaml("M"));
  const movedIn = updated("m");
  await rename(join(root, "outside"), join(dir, "moved"));
  await movedIn;
  expect(registry.get("m")?.file).toBe("moved/m.yaml");

  const movedOut = removed("m");
  await rename(join(dir, "moved"), join(root, "away"));
  await movedOut;
  expect(registry.list().map((entry) => entry.id)).toEqual(["n"]);
});

test("a second file with an existing id is refused with a clear problem", async () => {
  const { dir, registry, invalid } = await watching({ "a.yaml": workflowYaml("A", { id: "shared" }) });
  const refused = invalid("b.yaml");
  await put(dir, "b.yaml", workflowYaml("B", { id: "shared" }));
  const { id, problems } = await refused;
  expect(id).toBeNull();
  expect(problems).toEqual([
    { file: "b.yaml", line: 1, col: 1, message: 'workflow id "shared" is already defined in a.yaml' },
  ]);
  expect(registry.get("shared")?.file).toBe("a.yaml");
});

test("changing the id inside a file removes the old id and adds the new one", async () => {
  const { dir, registry, updated, removed } = await watching({ "a.yaml": workflowYaml("A") });
  const events = Promise.all([removed("a"), updated("other")]);
  await put(dir, "a.yaml", workflowYaml("A", { id: "other" }));
  await events;
  expect(registry.get("a")).toBeUndefined();
  expect(registry.get("other")?.file).toBe("a.yaml");
});

test("dot-files, backups, other extensions and node_modules are ignored", async () => {
  const { dir, registry, updated } = await watching({ "z.yaml": workflowYaml("Z") });
  const seen: string[] = [];
  registry.events.on("workflow:updated", (payload) => seen.push(payload.id));
  registry.events.on("workflow:invalid", (payload) => seen.push(payload.file));
  for (const file of [
    ".#a.yaml",
    ".a.yaml.swp",
    "a.yaml~",
    "notes.txt",
    "node_modules/p/a.yaml",
    ".git/a.yaml",
  ]) {
    await put(dir, file, BROKEN);
  }
  const barrier = updated("z");
  await put(dir, "z.yaml", workflowYaml("Z", { greeting: "barrier" }));
  await barrier;
  expect(seen).toEqual(["z"]);
  expect(registry.orphanProblems()).toEqual([]);
});

test("a burst of edits ends with the last content", async () => {
  const { dir, registry, updated } = await watching({ "a.yaml": workflowYaml("A") });
  const last = updated("a", (payload) => payload.version.definition.name === "A9");
  for (let index = 0; index < 10; index++) await put(dir, "a.yaml", workflowYaml(`A${index}`));
  await last;
  expect(registry.get("a")?.version.definition.name).toBe("A9");
});

test("stop releases chokidar and can be called twice", async () => {
  const { watcher } = await watching({});
  await watcher.stop();
  await watcher.stop();
});
