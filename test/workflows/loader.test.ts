import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { formatProblem } from "../../src/core/workflow.ts";
import { loadWorkflowDir } from "../../src/workflows/index.ts";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wfd-loader-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(file: string, content: string): Promise<void> {
  await mkdir(dirname(join(dir, file)), { recursive: true });
  await writeFile(join(dir, file), content);
}

function valid(name: string, extra = ""): string {
  return `${extra}name: ${name}\nsteps:\n  - id: a\n    type: fail\n`;
}

/** True when chmod 000 really stops this process from reading: not as root, which tests often run as. */
function chmodBlocksReads(): boolean {
  const probeDir = mkdtempSync(join(tmpdir(), "wfd-probe-"));
  const probe = join(probeDir, "probe");
  writeFileSync(probe, "x");
  chmodSync(probe, 0);
  try {
    readFileSync(probe);
    return false;
  } catch {
    return true;
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}

describe("finding files", () => {
  test("reads .yaml and .yml files in subfolders, in sorted order, with / paths", async () => {
    await write("b.yaml", valid("B"));
    await write("a.yml", valid("A"));
    await write("team/x/deep.YAML", valid("Deep"));
    await write("team/c.yaml", valid("C"));
    const result = await loadWorkflowDir(dir);
    expect(result.problems).toEqual([]);
    expect(result.files).toBe(4);
    expect(result.versions.map((version) => [version.workflowId, version.definition.file])).toEqual([
      ["a", "a.yml"],
      ["b", "b.yaml"],
      ["c", "team/c.yaml"],
      ["deep", "team/x/deep.YAML"],
    ]);
  });

  test("skips dot-folders, dot-files, node_modules and other extensions", async () => {
    await write("ok.yaml", valid("Ok"));
    await write(".git/config.yaml", "not: [valid");
    await write(".#ok.yaml", "editor lock file");
    await write("node_modules/pkg/x.yaml", "not: [valid");
    await write("README.md", "# docs");
    await write("ok.yaml.bak", "old");
    const result = await loadWorkflowDir(dir);
    expect(result.files).toBe(1);
    expect(result.problems).toEqual([]);
    expect(result.versions.map((version) => version.workflowId)).toEqual(["ok"]);
  });

  test("a folder named like a workflow file is walked like any folder", async () => {
    await write("odd.yaml/inner.yaml", valid("Inner"));
    const result = await loadWorkflowDir(dir);
    expect(result.versions.map((version) => version.definition.file)).toEqual(["odd.yaml/inner.yaml"]);
  });

  test("an empty directory loads nothing", async () => {
    expect(await loadWorkflowDir(dir)).toEqual({ versions: [], problems: [], files: 0 });
  });
});

describe("problems", () => {
  test("every problem of every file, each file keeping its own problems", async () => {
    await write("good.yaml", valid("Good"));
    await write("sub/bad.yaml", "name: Bad\nsteps: []\nconcurrency: 0\n");
    await write("worse.yml", "- not a mapping\n");
    const result = await loadWorkflowDir(dir);
    expect(result.versions.map((version) => version.workflowId)).toEqual(["good"]);
    expect(result.problems.map(formatProblem)).toEqual([
      "sub/bad.yaml:2:8: steps: must contain at least one step",
      "sub/bad.yaml:3:14: concurrency: must be a positive integer",
      "worse.yml:1:1: a workflow file must be a mapping (key: value pairs), found a list",
    ]);
  });

  test("the same workflow id in two files is a problem in both, and neither is loaded", async () => {
    await write("orders.yaml", valid("From the file name"));
    await write("legacy/old.yaml", valid("Claims the id", "# old copy\nid: orders\n"));
    await write("other.yaml", valid("Unrelated"));
    const result = await loadWorkflowDir(dir);
    expect(result.versions.map((version) => version.workflowId)).toEqual(["other"]);
    expect(result.problems.map(formatProblem)).toEqual([
      'legacy/old.yaml:2:5: duplicate workflow id "orders": also defined in orders.yaml',
      'orders.yaml:1:1: duplicate workflow id "orders": also defined in legacy/old.yaml',
    ]);
  });

  test("a duplicate id is reported even when the other file has problems of its own", async () => {
    await write("a/flow.yaml", valid("One"));
    await write("b/flow.yaml", "name: Two\nsteps: []\n");
    const result = await loadWorkflowDir(dir);
    expect(result.versions).toEqual([]);
    expect(result.problems.map(formatProblem)).toEqual([
      'a/flow.yaml:1:1: duplicate workflow id "flow": also defined in b/flow.yaml',
      'b/flow.yaml:1:1: duplicate workflow id "flow": also defined in a/flow.yaml',
      "b/flow.yaml:2:8: steps: must contain at least one step",
    ]);
  });

  test("an unreadable file is one problem; the others still load", async () => {
    await write("good.yaml", valid("Good"));
    // A dangling symlink cannot be read even as root.
    await symlink(join(dir, "missing-target.yaml"), join(dir, "broken.yaml"));
    await mkdir(join(dir, "target-dir"));
    await symlink(join(dir, "target-dir"), join(dir, "linked.yaml"));
    const result = await loadWorkflowDir(dir);
    expect(result.files).toBe(3);
    expect(result.versions.map((version) => version.workflowId)).toEqual(["good"]);
    expect(result.problems.map(formatProblem)).toEqual([
      "broken.yaml:1:1: cannot read file: file not found (a broken symlink?)",
      "linked.yaml:1:1: cannot read file: it is a directory",
    ]);
  });

  // As root chmod 000 does not stop reads, so this case cannot be staged there; the dangling
  // symlink above covers the same code path.
  test.skipIf(!chmodBlocksReads())("a file without read permission is one problem", async () => {
    await write("locked.yaml", valid("Locked"));
    await chmod(join(dir, "locked.yaml"), 0);
    const result = await loadWorkflowDir(dir);
    expect(result.problems.map(formatProblem)).toEqual([
      "locked.yaml:1:1: cannot read file: permission denied",
    ]);
  });
});

describe("the directory itself", () => {
  test("a missing directory throws an error naming it", async () => {
    const missing = join(dir, "nope");
    await expect(loadWorkflowDir(missing)).rejects.toThrow(`workflows directory ${missing} does not exist`);
  });

  test("a file given as the directory throws", async () => {
    await write("file.yaml", valid("F"));
    const file = join(dir, "file.yaml");
    await expect(loadWorkflowDir(file)).rejects.toThrow(`workflows directory ${file} is not a directory`);
  });
});
