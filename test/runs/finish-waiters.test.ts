import { expect, test } from "bun:test";
import type { Run } from "../../src/core/run.ts";
import { FinishWaiters } from "../../src/runs/finish-waiters.ts";

const run = (id: string) => ({ id, status: "completed" }) as Run;

test("a finished run wakes every waiter of its own, and only those", async () => {
  const waiters = new FinishWaiters();
  const first = waiters.wait("run_a");
  const second = waiters.wait("run_a");
  const other = waiters.wait("run_b");
  let otherWoke = false;
  void other.finished.then(() => {
    otherWoke = true;
  });
  waiters.settle(run("run_a"));
  expect((await first.finished).id).toBe("run_a");
  expect((await second.finished).id).toBe("run_a");
  await Promise.resolve();
  expect(otherWoke).toBe(false);
  expect(waiters.size).toBe(1);
});

test("a wait that stops is forgotten, so waits that time out leave nothing behind", () => {
  const waiters = new FinishWaiters();
  const kept = waiters.wait("run_a");
  const given = waiters.wait("run_a");
  given.stop();
  expect(waiters.size).toBe(1);
  kept.stop();
  expect(waiters.size).toBe(0);
  waiters.settle(run("run_a"));
  expect(waiters.size).toBe(0);
});
