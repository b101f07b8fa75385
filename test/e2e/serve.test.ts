import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary, REPO_ROOT, runCommand } from "../helpers/binary.ts";

let wfd: string;
let work: string;
beforeAll(async () => {
  wfd = await compiledBinary();
  work = mkdtempSync(join(tmpdir(), "wfd-serve-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Reads JSON log lines from the daemon's stdout until one matches. */
async function waitForLog(
  lines: AsyncIterator<Record<string, unknown>>,
  predicate: (entry: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error("the daemon exited before logging the expected line");
    if (predicate(value)) return value;
  }
}

async function* jsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, unknown>> {
  let buffer = "";
  for await (const chunk of stream) {
    buffer += new TextDecoder().decode(chunk);
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const part of parts) if (part.trim()) yield JSON.parse(part);
  }
}

test("wfd serve runs the examples, answers health checks, and stops cleanly on SIGTERM", async () => {
  const daemon = Bun.spawn(
    [
      wfd,
      "serve",
      "--dir",
      join(REPO_ROOT, "workflows.example"),
      "--data",
      join(work, "data"),
      "--host",
      "127.0.0.1",
      "--port",
      "0",
    ],
    { cwd: work, stdout: "pipe", stderr: "pipe" },
  );
  const lines = jsonLines(daemon.stdout);
  const loaded = await waitForLog(lines, (e) => e.msg === "workflows loaded");
  expect(loaded.count).toBe(5);
  const listening = await waitForLog(lines, (e) => e.msg === "wfd is listening");
  const port = new URL(String(listening.url)).port;
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(ready.status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  // The Docker HEALTHCHECK runs the binary itself.
  const healthy = await runCommand([wfd, "health", "--url", `http://127.0.0.1:${port}/healthz`], {
    cwd: work,
  });
  expect(healthy).toMatchObject({ exitCode: 0, stdout: "ok\n" });
  daemon.kill("SIGTERM");
  await waitForLog(lines, (e) => e.msg === "stopped");
  expect(await daemon.exited).toBe(0);
  const down = await runCommand([wfd, "health", "--url", `http://127.0.0.1:${port}/healthz`], { cwd: work });
  expect(down.exitCode).toBe(1);
  expect(down.stderr).toStartWith("error: http://127.0.0.1:");
});

test("wfd serve with an unusable data directory exits 1 with one clear line", async () => {
  const blocker = join(work, "blocker");
  writeFileSync(blocker, "not a directory");
  const result = await runCommand(
    [wfd, "serve", "--dir", join(REPO_ROOT, "workflows.example"), "--data", join(blocker, "d")],
    {
      cwd: work,
    },
  );
  expect(result.exitCode).toBe(1);
  expect(result.stderr.trim()).toMatch(/^error: cannot create data directory .*blocker\/d: /);
  expect(result.stderr.trim().split("\n")).toHaveLength(1);
});

test("wfd serve with a bad --port is a usage error", async () => {
  const result = await runCommand([wfd, "serve", "--port", "http"], { cwd: work });
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toContain("--port");
});

test("wfd serve on a port in use exits 1 with one line, having started nothing", async () => {
  const occupant = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("taken") });
  try {
    const result = await runCommand(
      [
        wfd,
        "serve",
        "--dir",
        join(REPO_ROOT, "workflows.example"),
        "--data",
        join(work, "data-busy-port"),
        "--host",
        "127.0.0.1",
        "--port",
        String(occupant.port),
      ],
      { cwd: work },
    );
    expect(result.exitCode).toBe(1);
    const errors = result.stderr
      .trim()
      .split("\n")
      .filter((line) => line.startsWith("error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(String(occupant.port));
    expect(result.stdout).not.toContain("workflows loaded");
    expect(result.stdout).toContain('"msg":"stopped"');
  } finally {
    occupant.stop(true);
  }
});

test("a second SIGTERM interrupts running steps at once: wfd exits cleanly and orphans no process", async () => {
  const project = mkdtempSync(join(work, "second-signal-"));
  const pidFile = join(project, "step.pid");
  mkdirSync(join(project, "workflows"));
  writeFileSync(join(project, "wfd.yaml"), "shutdown: { gracePeriod: 60s }\n");
  writeFileSync(
    join(project, "workflows", "busy.yaml"),
    `name: Busy
trigger: { type: schedule, cron: "* * * * * *" }
steps:
  - id: work
    type: shell
    config: { run: "echo $$ > ${pidFile}; sleep 60" }
`,
  );
  const daemon = Bun.spawn([wfd, "serve", "--host", "127.0.0.1", "--port", "0"], {
    cwd: project,
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines = jsonLines(daemon.stdout);
  await waitForLog(lines, (e) => e.msg === "scheduled run created");
  while (!existsSync(pidFile) || readFileSync(pidFile, "utf8").trim() === "") await Bun.sleep(20);
  const stepPid = Number(readFileSync(pidFile, "utf8"));
  daemon.kill("SIGTERM");
  await waitForLog(lines, (e) => e.msg === "shutting down");
  daemon.kill("SIGTERM");
  // Without the second signal's interrupt this waits out the 60 s grace period (past the test's timeout).
  expect(await daemon.exited).toBe(0);
  expect(() => process.kill(stepPid, 0)).toThrow();
});
