import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runWfd } from "../helpers/cli.ts";
import { scheduledYaml } from "./helpers.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `wfd <args>` in-process from an empty directory; returns the exit code and both outputs. */
function wfd(args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), "wfd-schedules-cli-"));
  dirs.push(cwd);
  return runWfd(args, cwd);
}

function workflowsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "wfd-schedules-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("wfd schedules", () => {
  const files = {
    "report.yaml": scheduledYaml('cron: "0 9 * * 1-5"\ntimezone: Europe/Amsterdam'),
    "ops/cleanup.yaml": scheduledYaml('cron: "0 3 * * *"', "status: draft\n"),
    "api-only.yaml": "name: API only\nsteps:\n  - { id: a, type: transform, config: { mapping: 1 } }\n",
  };

  test("prints each schedule with its cron, time zone and next fire time", async () => {
    const result = await wfd(["schedules", "--dir", workflowsDir(files)]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^WORKFLOW\s+CRON\s+TIMEZONE\s+NEXT RUN \(UTC\)\s+LOCAL TIME$/);
    expect(lines[1]).toMatch(/^cleanup\s+0 3 \* \* \*\s+UTC\s+- \(draft\)$/);
    expect(lines[2]).toMatch(
      /^report\s+0 9 \* \* 1-5\s+Europe\/Amsterdam\s+\d{4}-\d\d-\d\dT0[78]:00:00\.000Z\s+\d{4}-\d\d-\d\d 09:00:00$/,
    );
    expect(lines).toHaveLength(3);
    expect(result.stderr).toBe("");
  });

  test("--json gives machine-readable rows", async () => {
    const result = await wfd(["schedules", "--json", "--dir", workflowsDir(files)]);
    const rows = JSON.parse(result.stdout);
    expect(
      rows.map((row: { workflowId: string; nextRunAt: string | null }) => [
        row.workflowId,
        row.nextRunAt !== null,
      ]),
    ).toEqual([
      ["cleanup", false],
      ["report", true],
    ]);
    expect(rows[1]).toMatchObject({
      status: "active",
      triggerIndex: 1,
      cron: "0 9 * * 1-5",
      timezone: "Europe/Amsterdam",
    });
  });

  test("invalid files are counted on stderr; a missing directory is a usage error", async () => {
    const broken = await wfd(["schedules", "--dir", workflowsDir({ ...files, "bad.yaml": "name: [" })]);
    expect(broken.code).toBe(0);
    expect(broken.stderr).toContain(
      "problem(s) in workflow files; invalid files are not listed (see wfd validate)",
    );

    const missing = await wfd(["schedules", "--dir", "/nonexistent/wfd-workflows"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("/nonexistent/wfd-workflows");
    expect(missing.stderr).not.toContain("    at ");
  });

  test("a directory without schedules says so", async () => {
    const result = await wfd([
      "schedules",
      "--dir",
      workflowsDir({ "api-only.yaml": files["api-only.yaml"] }),
    ]);
    expect(result.stdout).toStartWith("no schedules in ");
  });
});
