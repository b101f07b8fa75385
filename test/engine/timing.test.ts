import { describe, expect, test } from "bun:test";
import { StepError } from "../../src/core/errors.ts";
import type { StepRecord } from "../../src/core/run.ts";
import type { RetryPolicy } from "../../src/core/workflow.ts";
import { retryDelay } from "../../src/engine/failures.ts";
import { deferred, makeWorkflow, PROBE, START, setup, untilAborted } from "./helpers.ts";

const flaky = (failures: number, calls: { count: number }) => async () => {
  calls.count += 1;
  if (calls.count <= failures) throw new StepError("HTTP_STATUS", `attempt ${calls.count} answered 503`);
  return "ok";
};

describe("retry", () => {
  test("waits 1s, 2s, 4s, 4s between attempts (exponential, capped) on the injected clock", async () => {
    const calls = { count: 0 };
    const { run, clock, observer } = setup({ a: flaky(4, calls) });
    const retry: RetryPolicy = { attempts: 5, delayMs: 1000, backoff: "exponential", maxDelayMs: 4000 };
    const outcome = run(makeWorkflow([{ id: "a", type: PROBE, retry }]));
    for (const [index, delay] of [1000, 2000, 4000, 4000].entries()) {
      await clock.waitForSleepers(1);
      expect(calls.count).toBe(index + 1);
      await clock.advance(delay - 1);
      expect(calls.count).toBe(index + 1);
      await clock.advance(1);
    }
    const result = await outcome;
    expect(calls.count).toBe(5);
    expect(result.status).toBe("completed");
    expect(result.steps[0]?.attempts).toBe(5);
    const retries = observer.events.filter((event) => event.kind === "retrying");
    expect(retries.map((event) => (event.kind === "retrying" ? event.delayMs : 0))).toEqual([
      1000, 2000, 4000, 4000,
    ]);
    expect(observer.logs[0]?.line).toBe(
      'step "a" failed (attempt 1 of 5): attempt 1 answered 503; retrying in 1.0s',
    );
    expect(observer.logs[0]?.stream).toBe("system");
  });

  test("when attempts run out the step fails with the last error and its attempt count", async () => {
    const calls = { count: 0 };
    const { run, clock } = setup({ a: flaky(10, calls) });
    const retry: RetryPolicy = { attempts: 2, delayMs: 500, backoff: "fixed", maxDelayMs: 0 };
    const outcome = run(makeWorkflow([{ id: "a", type: PROBE, retry }]));
    await clock.waitForSleepers(1);
    await clock.advance(500);
    const result = await outcome;
    expect(result.steps[0]).toMatchObject({ status: "failed", attempts: 2 });
    expect(result.error).toEqual({ code: "HTTP_STATUS", message: "attempt 2 answered 503", step: "a" });
  });

  test("a StepError with retryable=false is not retried", async () => {
    let calls = 0;
    const { run } = setup({
      a: async () => {
        calls += 1;
        throw new StepError("INVALID_CONFIG", "config.url is required", { retryable: false });
      },
    });
    const retry: RetryPolicy = { attempts: 3, delayMs: 1000, backoff: "fixed", maxDelayMs: 0 };
    const outcome = await run(makeWorkflow([{ id: "a", type: PROBE, retry }]));
    expect(calls).toBe(1);
    expect(outcome.steps[0]?.attempts).toBe(1);
  });

  test("delays per backoff kind", () => {
    const policy = (backoff: RetryPolicy["backoff"], maxDelayMs = 0): RetryPolicy => ({
      attempts: 5,
      delayMs: 1000,
      backoff,
      maxDelayMs,
    });
    expect([1, 2, 3].map((n) => retryDelay(policy("fixed"), n))).toEqual([1000, 1000, 1000]);
    expect([1, 2, 3].map((n) => retryDelay(policy("linear"), n))).toEqual([1000, 2000, 3000]);
    expect([1, 2, 3, 4].map((n) => retryDelay(policy("exponential"), n))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3].map((n) => retryDelay(policy("linear", 2500), n))).toEqual([1000, 2000, 2500]);
  });
});

describe("timeouts", () => {
  test("a step timeout fails the attempt with TIMEOUT and aborts the work", async () => {
    let aborted = false;
    const { run, clock } = setup({
      hang: async ({ signal }) => {
        signal.addEventListener("abort", () => (aborted = true));
        return untilAborted(signal);
      },
    });
    const outcome = run(makeWorkflow([{ id: "hang", type: PROBE, timeoutMs: 30_000 }]));
    await clock.waitForSleepers(1);
    await clock.advance(29_999);
    expect(aborted).toBe(false);
    await clock.advance(1);
    const result = await outcome;
    expect(aborted).toBe(true);
    expect(result.error).toEqual({ code: "TIMEOUT", message: "Step timed out after 30.0s", step: "hang" });
  });

  test("a step timeout is retried like any failure", async () => {
    let calls = 0;
    const { run, clock } = setup({
      slow: async ({ signal }) => {
        calls += 1;
        if (calls === 1) return untilAborted(signal);
        return "second time lucky";
      },
    });
    const retry: RetryPolicy = { attempts: 2, delayMs: 1000, backoff: "fixed", maxDelayMs: 0 };
    const outcome = run(makeWorkflow([{ id: "slow", type: PROBE, timeoutMs: 5000, retry }]));
    await clock.waitForSleepers(1);
    await clock.advance(5000);
    await clock.waitForSleepers(1);
    await clock.advance(1000);
    const result = await outcome;
    expect(result.status).toBe("completed");
    expect(result.steps[0]).toMatchObject({ attempts: 2, output: "second time lucky" });
  });

  test("a run timeout fails the run with TIMEOUT: running steps fail, unreached steps are skipped", async () => {
    const { run, clock } = setup();
    const workflow = makeWorkflow(
      [
        { id: "wait", type: "sleep", config: { duration: "1h" } },
        { id: "after", config: { mapping: 1 } },
      ],
      { timeoutMs: 600_000 },
    );
    const outcome = run(workflow);
    await clock.waitForSleepers(2);
    await clock.advance(600_000);
    const result = await outcome;
    expect(result.status).toBe("failed");
    expect(result.error).toEqual({ code: "TIMEOUT", message: "Run timed out after 10m0s" });
    expect(result.steps[0]).toMatchObject({ status: "failed", error: { code: "TIMEOUT" } });
    expect(result.steps[1]?.status).toBe("skipped");
  });

  test("the run timeout counts from the run's first start when it resumes", async () => {
    const { run, clock } = setup();
    const workflow = makeWorkflow([{ id: "wait", type: "sleep", config: { duration: "1h" } }], {
      timeoutMs: 10_000,
    });
    const outcome = run(workflow, { startedAt: START - 9_000 });
    await clock.waitForSleepers(2);
    await clock.advance(1_000);
    const result = await outcome;
    expect(result.error?.code).toBe("TIMEOUT");
    expect(result.startedAt).toBe(new Date(START - 9_000).toISOString());
  });

  test("a run resumed after its deadline fails at once without running anything", async () => {
    let ran = false;
    const { run } = setup({ a: async () => (ran = true) });
    const workflow = makeWorkflow([{ id: "a", type: PROBE }], { timeoutMs: 1000 });
    const result = await run(workflow, { startedAt: START - 5000 });
    expect(ran).toBe(false);
    expect(result.error?.code).toBe("TIMEOUT");
    expect(result.steps[0]?.status).toBe("skipped");
  });
});

describe("cancel", () => {
  test("cancel during a sleep: the sleep stops, the step and the unreached ones are cancelled", async () => {
    const { run, clock, observer } = setup();
    const controller = new AbortController();
    const workflow = makeWorkflow([
      { id: "nap", type: "sleep", config: { duration: "1h" } },
      { id: "after", config: { mapping: 1 } },
    ]);
    const outcome = run(workflow, { signal: controller.signal });
    await clock.waitForSleepers(1);
    controller.abort();
    const result = await outcome;
    expect(result.status).toBe("cancelled");
    expect(result.error).toEqual({ code: "CANCELLED", message: "Run was cancelled" });
    expect(result.steps.map((step) => step.status)).toEqual(["cancelled", "cancelled"]);
    expect(clock.pendingSleeps).toBe(0);
    expect(observer.trace()).toEqual(["started:nap", "finished:nap:cancelled", "finished:after:cancelled"]);
  });

  test("cancel during a retry wait ends the step as cancelled", async () => {
    const calls = { count: 0 };
    const { run, clock } = setup({ a: flaky(5, calls) });
    const controller = new AbortController();
    const retry: RetryPolicy = { attempts: 3, delayMs: 60_000, backoff: "fixed", maxDelayMs: 0 };
    const outcome = run(makeWorkflow([{ id: "a", type: PROBE, retry }]), { signal: controller.signal });
    await clock.waitForSleepers(1);
    controller.abort();
    const result = await outcome;
    expect(result.status).toBe("cancelled");
    expect(result.steps[0]).toMatchObject({ status: "cancelled", attempts: 1 });
    expect(calls.count).toBe(1);
  });

  test("a step that first reads its signal after the cancel finds it aborted by the cancel", async () => {
    const entered = deferred();
    const gate = deferred();
    let seen: unknown = "not read";
    const { run } = setup({
      a: async (context) => {
        entered.resolve();
        await gate.promise;
        seen = context.signal.aborted ? context.signal.reason : "not aborted";
        return "done anyway";
      },
    });
    const controller = new AbortController();
    const outcome = run(makeWorkflow([{ id: "a", type: PROBE }]), { signal: controller.signal });
    await entered.promise;
    controller.abort();
    gate.resolve();
    const result = await outcome;
    expect(seen).toMatchObject({ name: "EngineStop", kind: "cancel", message: "Run was cancelled" });
    expect(result.status).toBe("cancelled");
  });

  test("a run cancelled before it starts runs nothing", async () => {
    let ran = false;
    const { run } = setup({ a: async () => (ran = true) });
    const controller = new AbortController();
    controller.abort();
    const result = await run(makeWorkflow([{ id: "a", type: PROBE }]), { signal: controller.signal });
    expect(ran).toBe(false);
    expect(result.status).toBe("cancelled");
    expect(result.steps[0]?.status).toBe("cancelled");
  });
});

describe("durable sleep", () => {
  test("a resumed sleep waits only the time left and reports the total slept", async () => {
    const { run, clock } = setup();
    const earlier = new Date(START - 7_000).toISOString();
    const previousSteps: StepRecord[] = [
      {
        id: "nap",
        type: "sleep",
        status: "running",
        attempts: 1,
        startedAt: earlier,
        completedAt: null,
        output: null,
        error: null,
      },
    ];
    const outcome = run(makeWorkflow([{ id: "nap", type: "sleep", config: { duration: "10s" } }]), {
      previousSteps,
    });
    await clock.waitForSleepers(1);
    await clock.advance(2_999);
    expect(clock.pendingSleeps).toBe(1);
    await clock.advance(1);
    const result = await outcome;
    expect(result.steps[0]).toMatchObject({
      status: "completed",
      output: { sleptMs: 10_000 },
      startedAt: earlier,
    });
  });
});
