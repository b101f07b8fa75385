import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runWfd } from "../helpers/cli.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project directory holding these files. */
function project(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "wfd-validate-")));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Runs `wfd <args>` in-process from `cwd`; returns the exit code and both outputs. */
function wfd(cwd: string, args: string[]) {
  return runWfd(args, cwd);
}

const WORKFLOW = "name: Fine\nsteps:\n  - { id: a, type: transform, config: { mapping: 1 } }\n";
const BAD_CONFIG = [
  "server:",
  "  port: 70000",
  "  bodyLimit: lots",
  "webhooks:",
  "  - { url: 'ftp://example.com/h', events: [run.failed] }",
  "",
].join("\n");

describe("wfd validate and wfd.yaml", () => {
  test("a valid wfd.yaml and workflows exit 0", async () => {
    const dir = project({ "wfd.yaml": "server:\n  port: 8080\n", "workflows/fine.yaml": WORKFLOW });
    const result = await wfd(dir, ["validate"]);
    expect(result.stdout).toContain("1 valid workflow(s), 0 problem(s) in 1 file(s)");
    expect(result.code).toBe(0);
  });

  test("problems in wfd.yaml are printed as file:line:col like a workflow's, and exit 1", async () => {
    const dir = project({ "wfd.yaml": BAD_CONFIG, "workflows/fine.yaml": WORKFLOW });
    const result = await wfd(dir, ["validate"]);
    expect(result.stdout.trimEnd().split("\n")).toEqual([
      "wfd.yaml:2:9: server.port: must be 0 to 65535",
      'wfd.yaml:3:14: server.bodyLimit: invalid size "lots" (use e.g. 512kb, 1mb or bytes)',
      "wfd.yaml:5:12: webhooks.0.url: must be an http or https URL, not ftp:",
      "3 problem(s) in wfd.yaml; workflows are checked once it is fixed",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
  });

  test("with --json the config's problems are in the same shape as a workflow's", async () => {
    const dir = project({ "conf/wfd.yaml": BAD_CONFIG });
    const result = await wfd(dir, ["validate", "--config", "conf/wfd.yaml", "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(false);
    expect(report.workflows).toEqual([]);
    expect(report.problems[0]).toEqual({
      file: join("conf", "wfd.yaml"),
      line: 2,
      col: 9,
      message: "server.port: must be 0 to 65535",
    });
    expect(report.problems).toHaveLength(3);
  });

  test("a --config file that cannot be read is bad usage: one line on stderr, exit 2", async () => {
    const dir = project({});
    const result = await wfd(dir, ["validate", "--config", "missing.yaml"]);
    expect(result.stderr).toStartWith(`error: ${join(dir, "missing.yaml")}: cannot read config file: `);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(2);
  });

  test("other commands refuse a bad wfd.yaml as bad input, exit 2", async () => {
    const dir = project({ "wfd.yaml": BAD_CONFIG });
    const result = await wfd(dir, ["schedules"]);
    const file = join(dir, "wfd.yaml");
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      `error: ${file}:2:9: server.port: must be 0 to 65535`,
      `error: ${file}:3:14: server.bodyLimit: invalid size "lots" (use e.g. 512kb, 1mb or bytes)`,
      `error: ${file}:5:12: webhooks.0.url: must be an http or https URL, not ftp:`,
    ]);
    expect(result.code).toBe(2);
  });
});
