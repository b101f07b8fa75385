import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/binary.ts";

const project = realpathSync(mkdtempSync(join(tmpdir(), "wfd-validate-json-")));
afterAll(() => rmSync(project, { recursive: true, force: true }));

test("validate --json names workflows and problems by the same base: the current directory", async () => {
  mkdirSync(join(project, "flows", "team"), { recursive: true });
  writeFileSync(
    join(project, "flows", "team", "good.yaml"),
    "name: Good\nsteps:\n  - { id: a, type: transform, config: { mapping: 1 } }\n",
  );
  writeFileSync(
    join(project, "flows", "team", "bad.yaml"),
    "name: Bad\nsteps:\n  - id: a\n    type: teleport\n",
  );
  const child = Bun.spawn(["bun", join(REPO_ROOT, "src/main.ts"), "validate", "--dir", "flows", "--json"], {
    cwd: project,
    env: { ...process.env, NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  expect(code).toBe(1);
  const report = JSON.parse(stdout);
  expect(report.workflows.map((w: { file: string }) => w.file)).toEqual([join("flows", "team", "good.yaml")]);
  expect(report.problems.map((p: { file: string }) => p.file)).toEqual([join("flows", "team", "bad.yaml")]);
  for (const { file } of [...report.workflows, ...report.problems])
    expect(existsSync(join(project, file))).toBe(true);
});
