import { afterEach, describe, expect, test } from "bun:test";
import { attempted, finishRun, setup, stopAll } from "./delivery-helpers.ts";

afterEach(stopAll);

const iso = (ms: number) => new Date(ms).toISOString();

describe("delivery pacing", () => {
  // The first delay is 5 s, drawn from its upper half: 2.5 s + random * 2.5 s.
  test.each([0, 0.5, 0.9998])(
    "after a timed-out attempt the retry waits its backoff from the attempt's end (random %p)",
    async (random) => {
      const { store, hook, clock, start } = await setup(["hang", 200], { random: () => random });
      const worker = start();
      let next = attempted(worker);
      await finishRun(store, clock);
      const startedAt = clock.now();
      worker.notify();
      await hook.nextRequest;
      await clock.advance(10_000);
      expect(await next).toMatchObject({ status: "pending", error: "no answer within 10000 ms" });
      const delay = Math.round(2_500 + random * 2_500);
      expect(delay).toBeGreaterThanOrEqual(2_500);
      expect(delay).toBeLessThanOrEqual(5_000);
      const [delivery] = (await store.events.listDeliveries("wh_test", 10)).deliveries;
      expect(delivery?.attempts[0]?.attemptedAt).toBe(iso(startedAt));
      expect(delivery?.nextAttemptAt).toBe(iso(startedAt + 10_000 + delay));
      next = attempted(worker);
      await clock.advance(delay - 1);
      expect(hook.received).toHaveLength(1);
      await clock.advance(1);
      expect(await next).toMatchObject({ status: "delivered", statusCode: 200 });
    },
  );
});
