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

test("a manual clock's after fires once its time passes, and not at all once cancelled", async () => {
  const clock = new ManualClock();
  const fired: string[] = [];
  clock.after(100, () => fired.push("kept"));
  const cancel = clock.after(50, () => fired.push("cancelled"));
  cancel();
  expect(clock.pendingSleeps).toBe(1);
  await clock.advance(99);
  expect(fired).toEqual([]);
  await clock.advance(1);
  expect(fired).toEqual(["kept"]);
  expect(clock.pendingSleeps).toBe(0);
});

test("the system clock's after calls back, and a cancelled one never does", async () => {
  const fired: string[] = [];
  const cancel = systemClock.after(1, () => fired.push("cancelled"));
  cancel();
  await new Promise<void>((resolve) => systemClock.after(5, resolve));
  expect(fired).toEqual([]);
});
