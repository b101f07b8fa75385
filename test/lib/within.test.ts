import { expect, test } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { within } from "../../src/lib/within.ts";

test("within gives the promise's value and releases its timer", async () => {
  const clock = new ManualClock();
  expect(await within(Promise.resolve("done"), clock, 1_000)).toBe("done");
  expect(clock.pendingSleeps).toBe(0);
});

test("within gives null once the timeout passes on the clock", async () => {
  const clock = new ManualClock();
  const waiting = within(new Promise<string>(() => {}), clock, 1_000);
  await clock.waitForSleepers(1);
  await clock.advance(999);
  expect(clock.pendingSleeps).toBe(1);
  await clock.advance(1);
  expect(await waiting).toBeNull();
});

test("within gives null when the signal aborts, before or while waiting, and stops its timer", async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const waiting = within(new Promise<string>(() => {}), clock, 60_000, controller.signal);
  await clock.waitForSleepers(1);
  controller.abort();
  expect(await waiting).toBeNull();
  expect(clock.pendingSleeps).toBe(0);
  expect(await within(Promise.resolve("late"), clock, 1_000, controller.signal)).toBeNull();
});

test("within without a timeout waits for the promise or the signal alone", async () => {
  const clock = new ManualClock();
  expect(await within(Promise.resolve(7), clock, null)).toBe(7);
  const controller = new AbortController();
  const waiting = within(new Promise<number>(() => {}), clock, null, controller.signal);
  controller.abort();
  expect(await waiting).toBeNull();
  expect(clock.pendingSleeps).toBe(0);
});
