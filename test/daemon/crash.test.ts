import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Run } from "../../src/core/run.ts";
import { loadConfig } from "../../src/daemon/config.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { openSqliteStore } from "../../src/store/index.ts";
import { REPO_ROOT } from "../helpers/binary.ts";

const root = mkdtempSync(join(tmpdir(), "wfd-crash-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RUNS = 40;

test("after kill -9 every accepted run completes once, and no committed step runs again", async () => {
  const workflowsDir = join(root, "workflows");
  const dataDir = join(root, "data");
  const marker = join(root, "executions.log");
  mkdirSync(workflowsDir);
  writeFileSync(
    join(workflowsDir, "crashy.yaml"),
    `name: Crashy
steps:
  - id: first
    type: shell
    config: { run: 'echo "{{ run.id }} first" >> ${marker}' }
  - id: pause
    type: shell
    config: { run: "sleep 0.2" }
  - id: last
    type: shell
    config: { run: 'echo "{{ run.id }} last" >> ${marker}' }
`,
  );
  const child = Bun.spawn(
    ["bun", join(REPO_ROOT, "test/fixtures/daemon/crash-child.ts"), dataDir, workflowsDir, String(RUNS)],
    {
      cwd: REPO_ROOT,
      stdout: "pipe",
      stderr: "inherit",
    },
  );
  const accepted = new Set<string>();
  let finishedSteps = 0;
  const reader = child.stdout.getReader();
  let buffer = "";
  // Kill once every run is accepted and a few steps have finished, i.e. with runs in flight.
  while (accepted.size < RUNS || finishedSteps < 10) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += new TextDecoder().decode(value);
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line.startsWith("accepted ")) accepted.add(line.slice(9));
      if (line.startsWith("finished ")) finishedSteps++;
    }
  }
  child.kill("SIGKILL");
  expect(await child.exited).not.toBe(0);
  expect(accepted.size).toBe(RUNS);

  const snapshot = openSqliteStore({ path: join(dataDir, "wfd.db") });
  const before = (await snapshot.listRuns({ limit: 100 })).runs;
  await snapshot.close();
  const unfinishedBefore = before.filter((run) => run.status !== "completed");
  expect(unfinishedBefore.length).toBeGreaterThan(0);

  const config = loadConfig({ dir: workflowsDir, data: dataDir }, root, {});
  const daemon = new Daemon({ config, logger: silentLogger, port: 0, host: "127.0.0.1" });
  const finishedIds = new Set<string>();
  let allDone: () => void = () => {};
  const everythingFinished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const pendingIds = new Set(unfinishedBefore.map((run) => run.id));
  await daemon.start();
  const { runs, store } = daemon.parts;
  runs.events.on("run:finished", (run) => {
    finishedIds.add(run.id);
    if ([...pendingIds].every((id) => finishedIds.has(id))) allDone();
  });
  const stillUnfinished = (await store.listRunsByStatus(["pending", "running"])).length;
  if (stillUnfinished === 0) allDone();
  await everythingFinished;
  const after = (await store.listRuns({ limit: 100 })).runs;
  await daemon.stop();

  for (const id of accepted) expect(after.find((run) => run.id === id)?.status).toBe("completed");
  expect(after).toHaveLength(before.length);
  const lines = readFileSync(marker, "utf8").trim().split("\n");
  const count = (runId: string, step: string) => lines.filter((l) => l === `${runId} ${step}`).length;
  const stepStatus = (run: Run | undefined, step: string) => run?.steps.find((s) => s.id === step)?.status;
  for (const run of after) {
    const old = before.find((r) => r.id === run.id);
    for (const step of ["first", "last"]) {
      // A step committed as completed before the crash never runs again; others run at least once.
      if (stepStatus(old, step) === "completed")
        expect({ run: run.id, step, n: count(run.id, step) }).toEqual({ run: run.id, step, n: 1 });
      else expect(count(run.id, step)).toBeGreaterThanOrEqual(1);
    }
  }
}, 60_000);

test("after kill -9 every acknowledged run of pure steps is stored finished with its step", async () => {
  const workflowsDir = join(root, "pure-workflows");
  const dataDir = join(root, "pure-data");
  mkdirSync(workflowsDir);
  writeFileSync(
    join(workflowsDir, "pure.yaml"),
    'name: Pure\nsteps: [{ id: double, type: transform, config: { mapping: "{{ input.n | times: 2 }}" } }]\n',
  );
  const child = Bun.spawn(
    ["bun", join(REPO_ROOT, "test/fixtures/daemon/crash-child.ts"), dataDir, workflowsDir, "loop", "pure"],
    { cwd: REPO_ROOT, stdout: "pipe", stderr: "inherit" },
  );
  const accepted: string[] = [];
  const reader = child.stdout.getReader();
  let buffer = "";
  // Killed while 20 callers keep creating runs, so creations are in flight at the kill.
  while (accepted.length < 500) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += new TextDecoder().decode(value);
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("accepted ")) accepted.push(line.slice(9));
  }
  child.kill("SIGKILL");
  expect(await child.exited).not.toBe(0);
  expect(accepted.length).toBeGreaterThanOrEqual(500);

  const store = openSqliteStore({ path: join(dataDir, "wfd.db") });
  const stored = new Map<string, Run>();
  for (let page = await store.listRuns({ limit: 100 }); ; ) {
    for (const run of page.runs) stored.set(run.id, run);
    if (!page.nextCursor) break;
    page = await store.listRuns({ limit: 100, cursor: page.nextCursor });
  }
  await store.close();
  for (const id of accepted) {
    const run = stored.get(id);
    expect({ id, status: run?.status, steps: run?.steps.map((s) => s.status) }).toEqual({
      id,
      status: "completed",
      steps: ["completed"],
    });
  }
  // Runs are never stored half-done: every stored run is finished with its step.
  expect([...stored.values()].filter((run) => run.status !== "completed")).toEqual([]);
}, 60_000);
