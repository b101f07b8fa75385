import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { loadConfig } from "../../src/daemon/config.ts";
import { loadWorkflowDir } from "../../src/workflows/index.ts";
import { REPO_ROOT, runCommand } from "../helpers/binary.ts";
import { runWfd } from "../helpers/cli.ts";

const temps: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "wfd-init-"));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** Every file and directory below `dir` with its content, to show that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, entry);
    result[entry] = statSync(path).isDirectory() ? "<dir>" : readFileSync(path, "utf8");
  }
  return result;
}

describe("wfd init", () => {
  test("creates DIR with a wfd.yaml and a workflow that load without a problem, and prints the next steps", async () => {
    const root = join(tempDir(), "new", "project");
    const { code, stdout, stderr } = await runWfd(["init", root]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(Object.keys(snapshot(root)).sort()).toEqual([
      ".gitignore",
      "wfd.yaml",
      "workflows",
      "workflows/hello.yaml",
    ]);
    for (const step of [`cd ${root}`, "wfd validate", "wfd run hello", "wfd serve"])
      expect(stdout).toContain(`  ${step}`);

    // The project's own checks: the config loader and the workflow loader find nothing to report.
    const config = loadConfig({ config: join(root, "wfd.yaml") }, root, {});
    const { versions, problems } = await loadWorkflowDir(config.workflowsDir);
    expect(problems).toEqual([]);
    expect(versions.map((version) => version.workflowId)).toEqual(["hello"]);
    expect(config.apiKeys).toEqual([]);
    expect(config.secrets).toEqual({});
    // The data directory it ignores is the one the config uses.
    expect(readFileSync(join(root, ".gitignore"), "utf8")).toContain(
      `\n${relative(root, config.dataDir)}/\n`,
    );
  });

  test("the values wfd.yaml spells out are the defaults", async () => {
    const root = tempDir();
    await runWfd(["init", root]);
    const written = loadConfig({ config: join(root, "wfd.yaml") }, root, {});
    const empty = tempDir();
    const defaults = loadConfig({}, empty, {});
    const portable = (config: typeof written, base: string) => ({
      ...config,
      configFile: null,
      workflowsDir: relative(base, config.workflowsDir),
      dataDir: relative(base, config.dataDir),
    });
    expect(portable(written, root)).toEqual(portable(defaults, empty));
  });

  test("wfd validate accepts it and wfd run hello completes, recording the run in its data directory", async () => {
    const root = tempDir();
    await runWfd(["init", root]);
    const configFile = join(root, "wfd.yaml");
    const validate = await runWfd(["validate", "--config", configFile]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain("1 valid workflow(s), 0 problem(s)");
    const run = await runWfd(["run", "hello", "--config", configFile, "--json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("completed");
    expect(result.output).toEqual({ message: "Hello, world!" });
    expect(result.steps.map((step: { id: string; status: string }) => `${step.id} ${step.status}`)).toEqual([
      "greet completed",
      "say completed",
    ]);
    expect(result.steps[1].output.stdout).toBe("Hello, world!\n");
    expect(statSync(join(root, ".wfd", "wfd.db")).isFile()).toBe(true);
  });

  test("refuses to overwrite an existing wfd.yaml or workflows/hello.yaml, naming it and changing nothing", async () => {
    for (const existing of ["wfd.yaml", "workflows/hello.yaml"]) {
      const root = tempDir();
      mkdirSync(join(root, "workflows"));
      writeFileSync(join(root, existing), "# mine\n");
      const before = snapshot(root);
      const { code, stdout, stderr } = await runWfd(["init", root]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `error: ${join(root, existing)} already exists; wfd init never overwrites, nothing was written\n`,
      );
      expect(snapshot(root)).toEqual(before);
    }
  });

  test("a DIR that is a file, or a workflows that is a file, is one line, exit 2, nothing written", async () => {
    const root = tempDir();
    writeFileSync(join(root, "notes.txt"), "x");
    const asFile = await runWfd(["init", join(root, "notes.txt")]);
    expect(asFile.code).toBe(2);
    expect(asFile.stderr).toBe(`error: ${join(root, "notes.txt")} exists and is not a directory\n`);
    writeFileSync(join(root, "workflows"), "x");
    const before = snapshot(root);
    const workflowsFile = await runWfd(["init", root]);
    expect(workflowsFile.code).toBe(2);
    expect(workflowsFile.stderr).toBe(`error: ${join(root, "workflows")} exists and is not a directory\n`);
    expect(snapshot(root)).toEqual(before);
  });

  test("adds the data directory to an existing .gitignore once, keeping what it holds", async () => {
    const root = tempDir();
    writeFileSync(join(root, ".gitignore"), "node_modules");
    await runWfd(["init", root]);
    const gitignore = readFileSync(join(root, ".gitignore"), "utf8");
    expect(gitignore.startsWith("node_modules\n")).toBe(true);
    expect(gitignore.split("\n").filter((line) => line === ".wfd/")).toHaveLength(1);

    const already = tempDir();
    writeFileSync(join(already, ".gitignore"), "/.wfd\n");
    const { stdout } = await runWfd(["init", already]);
    expect(readFileSync(join(already, ".gitignore"), "utf8")).toBe("/.wfd\n");
    expect(stdout).not.toContain(".gitignore");
  });

  test("without DIR it initialises the current directory (wfd run as a child process there)", async () => {
    const root = tempDir();
    const { exitCode, stdout } = await runCommand(["bun", join(REPO_ROOT, "src/main.ts"), "init"], {
      cwd: root,
    });
    expect(exitCode).toBe(0);
    expect(stdout).not.toContain("cd ");
    expect(Object.keys(snapshot(root)).sort()).toEqual([
      ".gitignore",
      "wfd.yaml",
      "workflows",
      "workflows/hello.yaml",
    ]);
  });
});
