import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/binary.ts";

const root = mkdtempSync(join(tmpdir(), "wfd-dir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("serve with a file as --dir says it is not a directory, not that it does not exist: exit 2", async () => {
  const file = join(root, "flows.json");
  writeFileSync(file, "{}");
  const child = Bun.spawn(
    ["bun", "src/main.ts", "serve", "--dir", file, "--data", join(root, "data"), "--port", "0"],
    { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe" },
  );
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  expect(stderr).toContain(`error: workflows directory ${file} is not a directory\n`);
  expect(stderr).not.toContain("does not exist");
  expect(code).toBe(2);
});
