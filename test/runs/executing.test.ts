import { expect, test } from "bun:test";
import { silentLogger } from "../../src/lib/logger.ts";
import { ExecutingRuns } from "../../src/runs/executing.ts";

/** An execution that ends when its signal aborts, with the abort reason. */
function untilAborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(signal.reason), { once: true }),
  );
}

test("aborting a run executing here waits for its end; a run not executing here is not aborted", async () => {
  const executing = new ExecutingRuns();
  const execution = executing.track("run_a", { detach: () => {} }, untilAborted);
  expect(executing.size).toBe(1);
  expect(await executing.abort("run_other", "cancelled")).toBe(false);
  expect(await executing.abort("run_a", "cancelled")).toBe(true);
  expect(executing.size).toBe(0);
  expect(await execution).toBe("cancelled");
});

test("shutdown detaches every run's observer before aborting it, and ended() waits for all", async () => {
  const executing = new ExecutingRuns();
  const order: string[] = [];
  const observer = (id: string) => ({ detach: () => order.push(`detach ${id}`) });
  const record = (id: string) => (signal: AbortSignal) =>
    untilAborted(signal).then(() => {
      order.push(`end ${id}`);
    });
  void executing.track("run_a", observer("run_a"), record("run_a"));
  void executing.track("run_b", observer("run_b"), record("run_b"));
  executing.interruptAll(silentLogger);
  await executing.ended();
  expect(order.slice(0, 2)).toEqual(["detach run_a", "detach run_b"]);
  expect(order.slice(2).sort()).toEqual(["end run_a", "end run_b"]);
  expect(executing.size).toBe(0);
});

test("a failing execution leaves no run behind", async () => {
  const executing = new ExecutingRuns();
  await expect(
    executing.track("run_a", { detach: () => {} }, async () => {
      throw new Error("boom");
    }),
  ).rejects.toThrow("boom");
  expect(executing.size).toBe(0);
  expect(await executing.abort("run_a", "cancelled")).toBe(false);
});
