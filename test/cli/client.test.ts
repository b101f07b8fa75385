import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { sha256Hex } from "../../src/lib/hash.ts";
import { ADMIN_KEY, QUICK, SLOW, startDaemon, type TestDaemon } from "../api/helpers.ts";
import { wfdFromSource } from "../helpers/binary.ts";

const FAILING = `name: Failing
steps:
  - id: boom
    type: fail
    config: { message: "it broke" }
`;

const TALKING = `name: Talking
steps:
  - id: talk
    type: shell
    config: { run: "echo first; sleep 0.3; echo second" }
`;

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon({
    workflows: { "quick.yaml": QUICK, "slow.yaml": SLOW, "failing.yaml": FAILING, "talking.yaml": TALKING },
  });
});
afterAll(() => d.stop());

/** Runs `wfd` as a child process against the test daemon. */
function wfd(args: string[], env: Record<string, string | undefined> = {}) {
  return wfdFromSource(args, { env: { WFD_URL: d.url, WFD_API_KEY: ADMIN_KEY, ...env } });
}

describe("wfd keys create", () => {
  test("prints a new key once with the config lines holding its hash", async () => {
    const { stdout, code } = await wfd([
      "keys",
      "create",
      "--name",
      "backend",
      "--scopes",
      "workflows:execute,runs:read",
    ]);
    expect(code).toBe(0);
    const key = /(wfd_[A-Za-z0-9]{32,})/.exec(stdout)?.[1] as string;
    expect(key).toBeDefined();
    expect(stdout).toContain("  - name: backend");
    expect(stdout).toContain(`    hash: sha256:${sha256Hex(key)}`);
    expect(stdout).toContain("    scopes: [workflows:execute, runs:read]");
  });

  test("unknown scopes and a missing name are usage errors (exit 2)", async () => {
    const badScope = await wfd(["keys", "create", "--name", "x", "--scopes", "runs:read,everything"]);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr.trim()).toBe('error: --scopes: unknown scope "everything"');
    const noName = await wfd(["keys", "create"]);
    expect(noName.stderr).toBe(
      "error: keys create: --name is required (usage: wfd keys create --name NAME [--scopes SCOPES])\n",
    );
    expect(noName.code).toBe(2);
  });

  test("the printed config lines parse back to the exact name, even names YAML would read otherwise", async () => {
    for (const name of [
      "123",
      "true",
      "null",
      "2024",
      "0x1F",
      "~",
      "ops: nightly",
      "#1 backend",
      "backend",
    ]) {
      const { stdout, code } = await wfd(["keys", "create", "--name", name]);
      expect(code).toBe(0);
      const config = parse(stdout.slice(stdout.indexOf("apiKeys:")));
      expect(config.apiKeys).toEqual([{ name, hash: expect.stringMatching(/^sha256:/), scopes: ["*"] }]);
    }
  });

  test("a name that cannot be pasted into wfd.yaml as it is, is a usage error", async () => {
    const multiline = await wfd(["keys", "create", "--name", "a\nb"]);
    expect(multiline.stderr).toBe('error: --name: expected a non-empty name on one line, got "a\\nb"\n');
    expect(multiline.code).toBe(2);
    const variable = await wfd(["keys", "create", "--name", "${HOME}"]);
    expect(variable.stderr).toBe(
      'error: --name: "${" would be read as an environment variable in wfd.yaml\n',
    );
    expect(variable.code).toBe(2);
  });
});

describe("client commands", () => {
  test("trigger --input --wait prints the finished run and exits 0", async () => {
    const input = join(d.root, "input.json");
    writeFileSync(input, JSON.stringify({ items: [{ price: 1 }, { price: 2 }, { price: 3 }] }));
    const { stdout, code } = await wfd(["trigger", "quick", "--input", input, "--wait", "--json"]);
    expect(code).toBe(0);
    const run = JSON.parse(stdout);
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ count: 3 });
  });

  test("trigger without --wait prints the accepted run id; --wait on a failing run exits 1", async () => {
    const accepted = await wfd(["trigger", "quick"]);
    expect(accepted.code).toBe(0);
    // quick has only a transform step: it is executed as it is accepted (DESIGN decision in README).
    expect(accepted.stdout).toMatch(/^run_[0-9A-Z]{26} completed\n$/);
    const failed = await wfd(["trigger", "failing", "--wait"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("failed");
    expect(failed.stdout).toContain("it broke");
  });

  test("API errors are one line with their code and exit 1", async () => {
    const { stderr, code } = await wfd(["trigger", "nope"]);
    expect(code).toBe(1);
    expect(stderr).toBe('error: NOT_FOUND: Workflow "nope" not found\n');
    const badKey = await wfd(["runs"], { WFD_API_KEY: "wfd_wrong" });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain("UNAUTHORIZED");
  });

  test("trigger with input the inputSchema refuses prints every problem like wfd run, exit 2", async () => {
    const bad = join(d.root, "bad-input.json");
    writeFileSync(bad, JSON.stringify({ items: [{ price: "one" }, { price: "two" }] }));
    const many = await wfd(["trigger", "quick", "--input", bad]);
    expect(many.stderr).toBe(
      [
        "input.items[0].price: must be a number",
        "input.items[1].price: must be a number",
        "error: the input does not match the workflow's inputSchema",
        "",
      ].join("\n"),
    );
    expect(many.code).toBe(2);
    const scalar = join(d.root, "scalar-input.json");
    writeFileSync(scalar, "42");
    const root = await wfd(["trigger", "quick", "--input", scalar]);
    expect(root.stderr).toStartWith("input: must be an object\n");
    expect(root.code).toBe(2);
  });

  test("runs checks --limit and --status itself: one line, exit 2", async () => {
    const cases: [string[], string][] = [
      [["--limit", "abc"], '--limit: expected a whole number from 1 to 100, got "abc"'],
      [["--limit", "500"], '--limit: expected a whole number from 1 to 100, got "500"'],
      [["--limit", "0"], '--limit: expected a whole number from 1 to 100, got "0"'],
      [
        ["--status", "bogus"],
        '--status: expected one of pending, running, completed, failed, cancelled, got "bogus"',
      ],
    ];
    for (const [args, message] of cases) {
      const result = await wfd(["runs", ...args]);
      expect({ args, stderr: result.stderr, code: result.code }).toEqual({
        args,
        stderr: `error: ${message}\n`,
        code: 2,
      });
    }
    const fine = await wfd(["runs", "--limit", "1", "--status", "completed", "--json"]);
    expect(fine.code).toBe(0);
    expect(JSON.parse(fine.stdout).length).toBeLessThanOrEqual(1);
  });

  test("no key is a usage error; an unreachable daemon is one line", async () => {
    const noKey = await wfd(["runs"], { WFD_API_KEY: undefined });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("--key");
    const down = await wfd(["runs", "--url", "http://127.0.0.1:9"]);
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split("\n").length).toBe(1);
    expect(down.stderr).toContain("cannot reach wfd at http://127.0.0.1:9");
  });

  test("status shows a run and exits 1 for a failed run; runs lists them", async () => {
    const failed = await d.call("POST", "/api/v1/workflows/failing/run", { body: { wait: 10 } });
    const status = await wfd(["status", failed.json.data.id]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`${failed.json.data.id} failing failed`);
    expect(status.stdout).toContain("boom  failed");
    const runs = await wfd(["runs", "--workflow", "failing", "--json"]);
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout).map((run: { id: string }) => run.id)).toContain(failed.json.data.id);
  });

  test("logs --follow prints lines as they come until the run finishes", async () => {
    const { json } = await d.call("POST", "/api/v1/workflows/talking/run", { body: {} });
    const { stdout, code } = await wfd(["logs", json.data.id, "--follow"]);
    expect(code).toBe(0);
    const lines = stdout.split("\n").filter((line) => / talk {3}(first|second)$/.test(line));
    expect(lines.length).toBe(2);
    expect((await d.call("GET", `/api/v1/runs/${json.data.id}`)).json.data.status).toBe("completed");
  });

  test("cancel stops a running run; cancelling it again exits 1 with INVALID_STATUS", async () => {
    const { json } = await d.call("POST", "/api/v1/workflows/slow/run", { body: {} });
    const first = await wfd(["cancel", json.data.id]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`${json.data.id} cancelled\n`);
    const again = await wfd(["cancel", json.data.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("INVALID_STATUS");
  });
});
