import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogLine } from "../../src/core/run.ts";
import { createShellExecutor } from "../../src/engine/steps/shell.ts";
import { failure, makeServices, makeWorkflow, setup, stepContext } from "./helpers.ts";

let dir: string;
beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "wfd-shell-")));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shell = createShellExecutor({ killGraceMs: 200 });
const run = (config: Record<string, unknown>, extra: Parameters<typeof stepContext>[2] = {}) => {
  const context = stepContext({ id: "sh", type: "shell" }, config, {
    services: makeServices(undefined, { workflowsDir: dir }),
    ...extra,
  });
  return { promise: shell.execute(context), lines: context.lines };
};

/**
 * Dead means no such process, or a zombie: a zombie has exited and only waits for its parent to
 * collect it (orphans are collected by init, whenever this sandbox's init gets to it).
 */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

function readPids(file: string): number[] {
  return readFileSync(file, "utf8").trim().split(/\s+/).map(Number);
}

describe("shell step", () => {
  test("returns exit code, stdout and stderr, and logs each line as it arrives", async () => {
    const { promise, lines } = run({ run: "echo one; echo two; echo oops >&2; printf tail" });
    expect(await promise).toEqual({ exitCode: 0, stdout: "one\ntwo\ntail", stderr: "oops\n" });
    expect(lines.filter((line) => line.stream === "stdout").map((line) => line.line)).toEqual([
      "one",
      "two",
      "tail",
    ]);
    expect(lines).toContainEqual({ stream: "stderr", line: "oops" });
  });

  test("command runs an argv list without a shell", async () => {
    const { promise } = run({ command: ["printf", "%s|", "a b", "$HOME"] });
    expect(((await promise) as { stdout: string }).stdout).toBe("a b|$HOME|");
  });

  test("a non-zero exit fails with SHELL_EXIT, the code and the last stderr line", async () => {
    const { promise } = run({ run: "echo first >&2; echo 'no such customer' >&2; exit 3" });
    const error = await failure(promise);
    expect(error.code).toBe("SHELL_EXIT");
    expect(error.message).toBe("command exited with code 3: no such customer");
  });

  test("parse: json returns the parsed stdout; invalid JSON fails the step", async () => {
    expect(await run({ run: `echo '{"total": 42}'`, parse: "json" }).promise).toEqual({ total: 42 });
    const error = await failure(run({ run: "echo nope", parse: "json" }).promise);
    expect(error.code).toBe("STEP_FAILED");
    expect(error.message).toContain("stdout is not valid JSON");
  });

  test("env is merged over the process environment", async () => {
    const { promise } = run({ run: 'echo "$GREETING $HOME"', env: { GREETING: "hello", COUNT: 3 } });
    expect(((await promise) as { stdout: string }).stdout).toBe(`hello ${process.env.HOME}\n`);
  });

  test("cwd defaults to the workflows directory; a relative cwd is resolved against it", async () => {
    expect(((await run({ run: "pwd" }).promise) as { stdout: string }).stdout).toBe(`${dir}\n`);
    await run({ run: "mkdir -p sub" }).promise;
    expect(((await run({ run: "pwd", cwd: "sub" }).promise) as { stdout: string }).stdout).toBe(
      `${dir}/sub\n`,
    );
  });

  test("bad config fails with INVALID_CONFIG", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, "exactly one of config.run"],
      [{ run: "true", command: ["true"] }, "exactly one of config.run"],
      [{ command: [] }, "config.command must be a non-empty list"],
      [{ run: "true", parse: "yaml" }, 'config.parse must be "json"'],
      [{ run: "true", cwd: "missing-dir" }, "is not an existing directory"],
      [{ run: 5 }, "config.run must be a string"],
    ];
    for (const [config, message] of cases) {
      const error = await failure(run(config).promise);
      expect(error.code).toBe("INVALID_CONFIG");
      expect(error.message).toContain(message);
    }
  });

  test("a command that does not exist fails clearly", async () => {
    const error = await failure(run({ command: ["wfd-no-such-binary"] }).promise);
    expect(error.message).toContain('cannot start "wfd-no-such-binary"');
  });

  test("output over the capture limit fails with OUTPUT_TOO_LARGE and stops the command", async () => {
    const small = createShellExecutor({ killGraceMs: 200, maxCaptureChars: 1000 });
    const context = stepContext(
      { id: "sh", type: "shell" },
      { run: "yes" },
      { services: makeServices(undefined, { workflowsDir: dir }) },
    );
    const error = await failure(small.execute(context));
    expect(error.code).toBe("OUTPUT_TOO_LARGE");
  });

  test("it runs in its own process group", async () => {
    const { promise } = run({ run: "ps -o pgid= -p $$; echo $$" });
    const [pgid, pid] = ((await promise) as { stdout: string }).stdout.trim().split(/\s+/).map(Number);
    expect(pgid).toBe(pid as number);
    expect(pgid).not.toBe(Number(readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ")[2]));
  });

  test("processes left running in the group are stopped when the command exits", async () => {
    const pidFile = join(dir, "left.pid");
    const { promise } = run({ run: `sleep 1000 >/dev/null 2>&1 & echo $! > ${pidFile}` });
    expect(((await promise) as { exitCode: number }).exitCode).toBe(0);
    expect(isDead(readPids(pidFile)[0] as number)).toBe(true);
  });
});

describe("shell step cancelled through the engine", () => {
  async function cancelWhenReady(script: string) {
    const pidFile = join(dir, `pids-${Math.random().toString(36).slice(2)}`);
    const { run: execute, observer } = setup({}, { workflowsDir: dir });
    const controller = new AbortController();
    observer.onLog = (line: LogLine) => {
      if (line.line === "ready") controller.abort();
    };
    const workflow = makeWorkflow([
      { id: "work", type: "shell", config: { run: script.replaceAll("PIDS", pidFile) } },
    ]);
    const outcome = await execute(workflow, { signal: controller.signal });
    return { outcome, pids: readPids(pidFile) };
  }

  test("cancel kills the whole process group, background children included", async () => {
    const { outcome, pids } = await cancelWhenReady("sleep 1000 & echo $$ $! > PIDS; echo ready; wait");
    expect(outcome.status).toBe("cancelled");
    expect(outcome.steps[0]?.status).toBe("cancelled");
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isDead(pid)).toBe(true);
  });

  test("processes that ignore SIGTERM are killed after the grace period", async () => {
    const { outcome, pids } = await cancelWhenReady(
      "trap '' TERM; sleep 1000 & echo $$ $! > PIDS; echo ready; wait",
    );
    expect(outcome.status).toBe("cancelled");
    for (const pid of pids) expect(isDead(pid)).toBe(true);
  });
});
