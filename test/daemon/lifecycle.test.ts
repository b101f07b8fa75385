import { afterEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, loadConfig } from "../../src/daemon/config.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import { silentLogger } from "../../src/lib/logger.ts";

const dirs: string[] = [];
const daemons: Daemon[] = [];
afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(files: Record<string, string>, graceMs = 30_000): Config {
  const root = mkdtempSync(join(tmpdir(), "wfd-daemon-"));
  dirs.push(root);
  mkdirSync(join(root, "workflows"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, "workflows", name), text);
  const config = loadConfig({ dir: join(root, "workflows"), data: join(root, "data") }, root, {});
  return { ...config, shutdownGraceMs: graceMs };
}

function start(config: Config): Promise<Daemon> {
  const daemon = new Daemon({ config, logger: silentLogger, port: 0, host: "127.0.0.1" });
  daemons.push(daemon);
  return daemon.start().then(() => daemon);
}

const SLOW = (marker: string) =>
  `name: Slow\nsteps:\n  - id: wait\n    type: shell\n    config: { run: "sleep 0.3; echo ${marker}" }\n`;

test("healthz and readyz answer while serving; readyz reports what is not ready", async () => {
  const daemon = await start(setup({ "slow.yaml": SLOW("v1") }));
  const health = await fetch(`${daemon.url}/healthz`);
  expect(health.status).toBe(200);
  expect(health.headers.get("x-request-id")).toMatch(/^req_/);
  const ready = await fetch(`${daemon.url}/readyz`);
  expect(await ready.json()).toEqual({
    status: "ready",
    checks: { accepting: true, store: true, workflows: true },
  });
  const missing = await fetch(`${daemon.url}/nope`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
});

test("a run keeps its pinned version while its file changes, and new runs get the new version", async () => {
  const config = setup({ "slow.yaml": SLOW("v1") });
  const daemon = await start(config);
  const { runs, registry } = daemon.parts;
  const started = runs.events.waitFor("step:started");
  const { run: first } = await runs.create({ workflowId: "slow", trigger: { type: "api" } });
  await started;
  const updated = registry.events.waitFor("workflow:updated", (e) => e.id === "slow");
  writeFileSync(join(config.workflowsDir, "slow.yaml"), SLOW("v2"));
  expect((await updated).version.version).toBe(2);
  const finishedFirst = await runs.waitForFinish(first?.id as string, null);
  expect(finishedFirst).toMatchObject({ workflowVersion: 1, output: { stdout: "v1\n" } });
  const { run: second } = await runs.create({ workflowId: "slow", trigger: { type: "api" } });
  const finishedSecond = await runs.waitForFinish(second?.id as string, null);
  expect(finishedSecond).toMatchObject({ workflowVersion: 2, output: { stdout: "v2\n" } });
});

test("a deleted workflow accepts no new runs but keeps its history", async () => {
  const config = setup({ "slow.yaml": SLOW("v1") });
  const daemon = await start(config);
  const { runs, registry, store } = daemon.parts;
  const { run } = await runs.create({ workflowId: "slow", trigger: { type: "api" } });
  await runs.waitForFinish(run?.id as string, null);
  const removed = registry.events.waitFor("workflow:removed");
  rmSync(join(config.workflowsDir, "slow.yaml"));
  await removed;
  await expect(runs.create({ workflowId: "slow", trigger: { type: "api" } })).rejects.toMatchObject({
    code: "NOT_FOUND",
  });
  expect((await store.getRun(run?.id as string))?.status).toBe("completed");
  expect(await store.listVersions("slow")).toHaveLength(1);
});

test("graceful shutdown refuses new runs at once and lets a running step finish within the grace period", async () => {
  const config = setup({ "slow.yaml": SLOW("done") });
  const daemon = await start(config);
  const { runs } = daemon.parts;
  const started = runs.events.waitFor("step:started");
  const { run } = await runs.create({ workflowId: "slow", trigger: { type: "api" } });
  await started;
  const stopping = daemon.stop();
  await expect(runs.create({ workflowId: "slow", trigger: { type: "api" } })).rejects.toMatchObject({
    code: "UNAVAILABLE",
  });
  await stopping;
  const { openSqliteStore } = await import("../../src/store/index.ts");
  const store = openSqliteStore({ path: join(config.dataDir, "wfd.db") });
  expect(await store.getRun(run?.id as string)).toMatchObject({
    status: "completed",
    output: { stdout: "done\n" },
  });
  await store.close();
});

test("a run still going when the grace period ends is left running and resumes at the next start", async () => {
  const config = setup({ "slow.yaml": SLOW("resumed") }, 0);
  const first = await start(config);
  const started = first.parts.runs.events.waitFor("step:started");
  const { run } = await first.parts.runs.create({ workflowId: "slow", trigger: { type: "api" } });
  await started;
  await first.stop();
  const second = await start(config);
  const finished = await second.parts.runs.waitForFinish(run?.id as string, null);
  expect(finished).toMatchObject({ status: "completed", output: { stdout: "resumed\n" } });
});

test("a data directory that is not usable stops the start with a clear error", async () => {
  const config = setup({ "slow.yaml": SLOW("x") });
  const blocker = join(config.dataDir, "..", "blocker");
  writeFileSync(blocker, "a file, not a directory");
  const daemon = new Daemon({
    config: { ...config, dataDir: join(blocker, "data") },
    logger: silentLogger,
    port: 0,
  });
  await expect(daemon.start()).rejects.toThrow(/cannot create data directory .*blocker\/data/);
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(join(config.dataDir, "wfd.db"), "this is not a database ".repeat(100));
  const corrupt = new Daemon({ config, logger: silentLogger, port: 0 });
  await expect(corrupt.start()).rejects.toThrow(/wfd\.db.*not a database/);
});

test("a second daemon on the same data directory is refused", async () => {
  const config = setup({ "slow.yaml": SLOW("x") });
  await start(config);
  const other = Bun.spawn(["sleep", "30"]);
  const otherPid = other.pid;
  writeFileSync(join(config.dataDir, "wfd.pid"), `${otherPid}\n`);
  const second = new Daemon({ config, logger: silentLogger, port: 0 });
  await expect(second.start()).rejects.toThrow(
    `another wfd serve (pid ${otherPid}) is using the data directory`,
  );
  other.kill();
  await other.exited;
});
