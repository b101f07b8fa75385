import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/binary.ts";

const dirs: string[] = [];
const stray: number[] = [];
afterEach(() => {
  // A failed assertion must not leave sleeps behind on a shared machine.
  for (const pid of stray.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Polls until `check` holds, up to `ms`; false when it never did. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await Bun.sleep(20);
  }
  return check();
}

/** True while the process exists and is not a zombie waiting for a reaper that may be slow. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : "";
  return !/^\d+ \(.*\) Z/.test(stat);
}

describe("wfd run stopped by a signal", () => {
  for (const [signal, exitCode] of [
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    test(`${signal} cancels the run: its shell processes end, it is stored cancelled, exit ${exitCode}`, async () => {
      const root = mkdtempSync(join(tmpdir(), "wfd-signal-"));
      dirs.push(root);
      mkdirSync(join(root, "workflows"));
      const [shellPidFile, sleepPidFile] = [join(root, "shell.pid"), join(root, "sleep.pid")];
      // `sleep` runs in the background, so it is a second process of the step's group, not the shell itself.
      const script = `sleep 30 & echo $! > ${sleepPidFile}; echo $$ > ${shellPidFile}; wait`;
      writeFileSync(
        join(root, "workflows", "nap.yaml"),
        `name: Nap\nsteps:\n  - id: nap\n    type: shell\n    config: { run: ${JSON.stringify(script)} }\n`,
      );
      const data = join(root, "data");
      const child = Bun.spawn(
        ["bun", "src/main.ts", "run", "nap", "--dir", join(root, "workflows"), "--data", data, "--json"],
        { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } },
      );
      stray.push(child.pid);
      const started = await eventually(() => existsSync(shellPidFile) && existsSync(sleepPidFile), 10_000);
      expect(started).toBe(true);
      const pids = [shellPidFile, sleepPidFile].map((file) => Number(readFileSync(file, "utf8")));
      stray.push(...pids);

      child.kill(signal);
      expect(await child.exited).toBe(exitCode);
      expect(JSON.parse(await new Response(child.stdout).text()).status).toBe("cancelled");
      // The group is killed before wfd exits; only the reaping of an orphan may lag behind.
      expect(await eventually(() => !pids.some(isAlive), 2000)).toBe(true);
      const db = new Database(join(data, "wfd.db"), { readonly: true });
      try {
        expect(db.query("SELECT status FROM runs").all()).toEqual([{ status: "cancelled" }]);
      } finally {
        db.close();
      }
    });
  }
});
