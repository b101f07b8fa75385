import { expect, test } from "bun:test";
import { ManualClock, systemClock } from "../../src/lib/clock.ts";

test("a manual clock wakes sleepers in order as time advances", async () => {
  const clock = new ManualClock(1000);
  const woke: string[] = [];
  const a = clock.sleep(500).then(() => woke.push(`a@${clock.now()}`));
  const b = clock.sleep(200).then(() => woke.push(`b@${clock.now()}`));
  await clock.waitForSleepers(2);
  await clock.advance(300);
  await b;
  expect(woke).toEqual(["b@1200"]);
  await clock.advance(300);
  await a;
  expect(woke).toEqual(["b@1200", "a@1500"]);
  expect(clock.now()).toBe(1600);
});

test("an aborted sleep rejects and stops waiting", async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const sleeping = clock.sleep(1000, controller.signal);
  controller.abort(new Error("stop"));
  await expect(sleeping).rejects.toThrow("stop");
  expect(clock.pendingSleeps).toBe(0);
});

test("the system clock's sleep can be aborted", async () => {
  const controller = new AbortController();
  const sleeping = systemClock.sleep(60_000, controller.signal);
  controller.abort();
  await expect(sleeping).rejects.toThrow();
});
