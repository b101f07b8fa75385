import { describe, expect, test } from "bun:test";
import { failExecutor } from "../../src/engine/steps/fail.ts";
import { sleepExecutor } from "../../src/engine/steps/sleep.ts";
import { transformExecutor } from "../../src/engine/steps/transform.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { failure, makeServices, makeWorkflow, START, setup, stepContext } from "./helpers.ts";

describe("transform", () => {
  test("the output is the rendered mapping, types kept", async () => {
    const { run } = setup();
    const workflow = makeWorkflow([
      {
        id: "calculate-total",
        config: {
          mapping: {
            subtotal: "{{ input.items | map: 'quantity * price' | sum }}",
            label: "n={{ input.n }}",
          },
        },
      },
    ]);
    const outcome = await run(workflow, {
      input: {
        n: 2,
        items: [
          { quantity: 2, price: 10 },
          { quantity: 5, price: 8 },
        ],
      },
    });
    expect(outcome.output).toEqual({ subtotal: 60, label: "n=2" });
  });

  test("a missing mapping is INVALID_CONFIG", async () => {
    const error = await failure(transformExecutor.execute(stepContext({ id: "t", type: "transform" }, {})));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.message).toBe("config.mapping is required");
  });
});

describe("fail", () => {
  test("fails with FAIL and the rendered message, not retryable", async () => {
    const { run } = setup();
    const retry = { attempts: 3, delayMs: 1000, backoff: "fixed" as const, maxDelayMs: 0 };
    const workflow = makeWorkflow([
      { id: "stop", type: "fail", retry, config: { message: "order {{ input.id }} is void" } },
    ]);
    const outcome = await run(workflow, { input: { id: 7 } });
    expect(outcome.error).toEqual({ code: "FAIL", message: "order 7 is void", step: "stop" });
    expect(outcome.steps[0]?.attempts).toBe(1);
  });

  test("the default message is 'Step failed'", async () => {
    const error = await failure(failExecutor.execute(stepContext({ id: "f", type: "fail" }, {})));
    expect(error.message).toBe("Step failed");
    expect(error.retryable).toBe(false);
  });
});

describe("sleep", () => {
  const sleepFor = (config: Record<string, unknown>, clock: ManualClock, firstStartedAt = START) =>
    sleepExecutor.execute(
      stepContext({ id: "s", type: "sleep" }, config, { services: makeServices(clock), firstStartedAt }),
    );

  test("duration sleeps on the injected clock and reports the time slept", async () => {
    const clock = new ManualClock(START);
    const pending = sleepFor({ duration: "1m30s" }, clock);
    await clock.waitForSleepers(1);
    await clock.advance(90_000);
    expect(await pending).toEqual({ sleptMs: 90_000 });
  });

  test("a number duration is milliseconds", async () => {
    const clock = new ManualClock(START);
    const pending = sleepFor({ duration: 250 }, clock);
    await clock.waitForSleepers(1);
    await clock.advance(250);
    expect(await pending).toEqual({ sleptMs: 250 });
  });

  test("until sleeps to the given time", async () => {
    const clock = new ManualClock(START);
    const pending = sleepFor({ until: new Date(START + 5_000).toISOString() }, clock);
    await clock.waitForSleepers(1);
    await clock.advance(5_000);
    expect(await pending).toEqual({ sleptMs: 5_000 });
  });

  test("a time already passed returns at once", async () => {
    const clock = new ManualClock(START);
    expect(await sleepFor({ until: new Date(START - 1).toISOString() }, clock)).toEqual({ sleptMs: 0 });
    expect(await sleepFor({ duration: "5s" }, clock, START - 10_000)).toEqual({ sleptMs: 10_000 });
  });

  test("bad config is INVALID_CONFIG", async () => {
    const clock = new ManualClock(START);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, "exactly one of config.duration and config.until"],
      [{ duration: "5s", until: "2026-01-01T00:00:00Z" }, "exactly one of"],
      [{ duration: "soon" }, 'config.duration must be a duration such as "30s" or "5m", got string "soon"'],
      [{ duration: -5 }, "config.duration must be a duration"],
      [{ until: "tomorrow" }, "config.until must be an ISO 8601 time"],
    ];
    for (const [config, message] of cases) {
      const error = await failure(sleepFor(config, clock));
      expect(error.code).toBe("INVALID_CONFIG");
      expect(error.message).toContain(message);
    }
  });
});
