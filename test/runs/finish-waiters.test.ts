import { expect, test } from "bun:test";
import type { Run } from "../../src/core/run.ts";
import type { RunEvents } from "../../src/core/runs.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { TypedEmitter } from "../../src/lib/emitter.ts";
import { FinishWaiters, RunFinishes } from "../../src/runs/finish-waiters.ts";

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
  expect((await first.finished)?.id).toBe("run_a");
  expect((await second.finished)?.id).toBe("run_a");
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

/** RunFinishes over a store holding `stored`, counting its reads. */
function finishesOver(stored: Run[]) {
  const clock = new ManualClock(0);
  const events = new TypedEmitter<RunEvents>();
  const reads: string[] = [];
  const finishes = new RunFinishes(events, clock, async (runId) => {
    reads.push(runId);
    const found = stored.find((candidate) => candidate.id === runId);
    if (!found) throw new Error(`Run "${runId}" not found`);
    return found;
  });
  return { clock, events, reads, finishes };
}

test("a wait for a run queued here needs no read and ends with its run:finished", async () => {
  const { events, reads, finishes } = finishesOver([]);
  const announced: string[] = [];
  events.on("run:finished", (finished) => announced.push(finished.id));
  finishes.expect("run_a");
  const waiting = finishes.wait("run_a", null);
  finishes.announce(run("run_a"));
  expect((await waiting)?.id).toBe("run_a");
  expect(announced).toEqual(["run_a"]);
  expect(reads).toEqual([]);
});

test("a wait for a run not handled here reads it, and returns it at once when it is finished", async () => {
  const { reads, finishes } = finishesOver([run("run_done")]);
  expect((await finishes.wait("run_done", 1000))?.id).toBe("run_done");
  expect(reads).toEqual(["run_done"]);
});

test("a wait gives up with null when its time passes, and a forgotten run is read again", async () => {
  const pending = { id: "run_p", status: "running" } as Run;
  const { clock, reads, finishes } = finishesOver([pending]);
  finishes.expect("run_p");
  finishes.forget("run_p");
  const waiting = finishes.wait("run_p", 300);
  await clock.waitForSleepers(1);
  await clock.advance(300);
  expect(await waiting).toBeNull();
  expect(reads).toEqual(["run_p"]);
});
