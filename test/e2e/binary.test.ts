import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary, REPO_ROOT, runCommand } from "../helpers/binary.ts";

let wfd: string;
let work: string;
const examples = join(REPO_ROOT, "workflows.example");

beforeAll(async () => {
  wfd = await compiledBinary();
  work = mkdtempSync(join(tmpdir(), "wfd-e2e-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (args: string[], stdin?: string) =>
  runCommand([wfd, ...args], { cwd: work, ...(stdin !== undefined ? { stdin } : {}) });

describe("the compiled binary", () => {
  test("prints its version and help", async () => {
    const version = await run(["--version"]);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await run(["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("wfd run");
    expect(help.stdout).toContain("wfd validate");
  });

  test("validates the examples", async () => {
    const result = await run(["validate", "--dir", examples]);
    expect(result.stdout).toContain("0 problem(s)");
    expect(result.exitCode).toBe(0);
  });

  test("runs the order example to completion and prints the run object with --json", async () => {
    const data = join(work, "data-order");
    const result = await run([
      "run",
      "order-created",
      "--dir",
      examples,
      "--data",
      data,
      "--input",
      join(examples, "order.json"),
      "--json",
    ]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const runObject = JSON.parse(result.stdout);
    expect(runObject).toMatchObject({
      workflowId: "order-created",
      workflowVersion: 1,
      status: "completed",
      trigger: { type: "cli" },
      error: null,
    });
    expect(runObject.id).toMatch(/^run_[0-9A-Z]{26}$/);
    expect(runObject.versionId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(runObject.output).toMatchObject({
      customerId: "cus_123",
      total: 64.8,
      currency: "USD",
      invoiced: false,
    });
    expect(runObject.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
      "calculate-total:completed",
      "create-invoice:skipped",
      "summary:completed",
    ]);
    expect(runObject.input.currency).toBe("usd");
  });

  test("reads input from stdin and --set, and runs drafts locally", async () => {
    const data = join(work, "data-stdin");
    const input = JSON.stringify({ customerId: "cus_9", items: [{ sku: "a", quantity: 1, price: 5 }] });
    const result = await run(
      [
        "run",
        "order-created",
        "--dir",
        examples,
        "--data",
        data,
        "--input",
        "-",
        "--set",
        "currency=eur",
        "--json",
      ],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout).output).toMatchObject({ total: 5.4, currency: "EUR" });
    const draft = await run(["run", "nightly-cleanup", "--dir", examples, "--data", data, "--json"]);
    expect(draft.exitCode).toBe(0);
    expect(JSON.parse(draft.stdout).status).toBe("completed");
  });

  test("bad input exits 2 with one clear line per problem and no stack", async () => {
    const data = join(work, "data-bad");
    const base = ["run", "order-created", "--dir", examples, "--data", data];
    const notJson = join(work, "not.json");
    writeFileSync(notJson, "{ nope");
    const cases: [string[], RegExp][] = [
      [[...base, "--input", notJson], /--input .*not\.json: not valid JSON/],
      [
        [...base, "--input", join(work, "missing.json")],
        /--input .*missing\.json: cannot read: no such file/,
      ],
      [[...base, "--set", "currency"], /--set "currency": expected key=value/],
      [["run", "no-such-flow", "--dir", examples, "--data", data], /workflow "no-such-flow" not found/],
      [[...base, "--set", "customerId=bob"], /input\.customerId: .*pattern/],
      [
        ["run", "order-created", "--dir", join(work, "nodir"), "--data", data],
        /^error: workflows directory .*nodir does not exist\n$/,
      ],
      [
        ["run", "order-created", "--dir", join(examples, "order.json"), "--data", data],
        /^error: workflows directory .*order\.json is not a directory\n$/,
      ],
      [
        ["run", "order-created", "--bogus", "x"],
        /^error: run: unknown option --bogus \(usage: wfd run .*<id>\)\n$/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect({ args, exitCode: result.exitCode }).toEqual({ args, exitCode: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test("help and usage errors carry no colour codes when not on a terminal, even with TERM=xterm", async () => {
    // runCommand sets NO_COLOR, which would hide the defect: this environment has none.
    const { NO_COLOR: _ignored, ...env } = process.env;
    for (const args of [["--help"], ["run", "--help"], ["run", "--bogus", "x"], ["keys", "create"]]) {
      const child = Bun.spawn([wfd, ...args], {
        cwd: work,
        env: { ...env, TERM: "xterm" },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stdout, stderr] = [
        await new Response(child.stdout).text(),
        await new Response(child.stderr).text(),
      ];
      await child.exited;
      expect(stdout + stderr).toContain("wfd");
      expect({ args, escapes: `${stdout}${stderr}`.includes("\x1b[") }).toEqual({ args, escapes: false });
    }
  });

  test("a failing workflow exits 1 and names the failing step", async () => {
    const dir = mkdtempSync(join(work, "flows-"));
    writeFileSync(
      join(dir, "broken.yaml"),
      "name: Broken\nsteps:\n  - id: boom\n    type: fail\n    config: { message: nope }\n",
    );
    const result = await run(["run", "broken", "--dir", dir, "--data", join(work, "data-fail"), "--json"]);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: "failed",
      error: { code: "FAIL", message: "nope", step: "boom" },
    });
  });

  test("validate reports every problem as file:line:col and exits 1", async () => {
    const dir = mkdtempSync(join(work, "invalid-"));
    writeFileSync(
      join(dir, "bad.yaml"),
      "name: Bad\nsteps:\n  - id: a\n    type: teleport\n  - id: b\n    type: transform\n    nedds: [a]\n    config: { mapping: 1 }\n",
    );
    const result = await run(["validate", "--dir", dir]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/bad\.yaml:4:11: .*teleport/);
    expect(result.stdout).toMatch(/bad\.yaml:7:5: .*nedds/);
  });
});
