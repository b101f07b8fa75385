import { afterEach, describe, expect, test } from "bun:test";
import { at, cleanup, newRun, openTempStore } from "../store/helpers.ts";

afterEach(cleanup);

describe("RunStore.lastScheduledSlot", () => {
  test("is null before any claim, then the newest slot of that workflow and trigger only", async () => {
    const store = openTempStore();
    expect(await store.lastScheduledSlot("report", 1)).toBeNull();
    const claim = (workflowId: string, triggerIndex: number, ms: number) =>
      store.createRun(newRun({ workflowId }), { slot: { triggerIndex, scheduledFor: at(ms) } });
    await claim("report", 1, 120_000);
    await claim("report", 1, 60_000); // claimed later, but an older slot
    await claim("report", 2, 600_000);
    await claim("other", 1, 900_000);
    expect(await store.lastScheduledSlot("report", 1)).toBe(at(120_000));
    expect(await store.lastScheduledSlot("report", 2)).toBe(at(600_000));
    expect(await store.lastScheduledSlot("report", 3)).toBeNull();
  });

  test("outlives the pruning of the slot's run, so catch-up never repeats a pruned slot", async () => {
    const store = openTempStore();
    const run = newRun({ workflowId: "report" });
    await store.createRun(run, { slot: { triggerIndex: 0, scheduledFor: at(0) } });
    await store.finishRun(run.id, { status: "completed", output: null, error: null, completedAt: at(1000) });
    expect(await store.pruneRuns(at(3_600_000))).toBe(1);
    expect(await store.lastScheduledSlot("report", 0)).toBe(at(0));
  });
});
