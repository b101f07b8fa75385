import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/lib/clock.ts";
import { Scheduler } from "../../src/scheduler/index.ts";
import { openSqliteStore } from "../../src/store/index.ts";
import { WorkflowRegistry } from "../../src/workflows/registry.ts";
import { FakeRuns, scheduledYaml } from "./helpers.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("with the real workflow registry", () => {
  test("editing, breaking and deleting the file changes the schedule at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wfd-scheduler-registry-"));
    dirs.push(dir);
    const file = join(dir, "job.yaml");
    writeFileSync(file, scheduledYaml('cron: "0 * * * *"'));
    const clock = new ManualClock(Date.parse("2026-01-15T10:00:00.000Z"));
    const store = openSqliteStore({ path: ":memory:", clock });
    const registry = new WorkflowRegistry({ dir, store, clock });
    await registry.loadAll();
    const runs = new FakeRuns(clock);
    const scheduler = new Scheduler({ registry, runs, store, clock, maxSleepMs: 3_600_000 });
    await scheduler.start();
    expect(scheduler.nextWakeAt).toBe(Date.parse("2026-01-15T11:00:00.000Z"));

    const reloaded = () => scheduler.events.waitFor("tick");
    writeFileSync(file, scheduledYaml('cron: "*/10 * * * *"'));
    let ticked = reloaded();
    await registry.refreshFile("job.yaml");
    await ticked;
    expect(scheduler.nextWakeAt).toBe(Date.parse("2026-01-15T10:10:00.000Z"));

    // An invalid edit keeps the last good version, so the schedule stays as it was.
    writeFileSync(file, scheduledYaml('cron: "not a cron"'));
    await registry.refreshFile("job.yaml");
    expect(scheduler.nextWakeAt).toBe(Date.parse("2026-01-15T10:10:00.000Z"));

    ticked = reloaded();
    await registry.removeFile("job.yaml");
    await ticked;
    expect(scheduler.nextWakeAt).toBe(Date.parse("2026-01-15T11:00:00.000Z"));
    await scheduler.stop();
    await store.close();
  });
});
