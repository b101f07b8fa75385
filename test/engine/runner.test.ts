import { describe, expect, test } from "bun:test";
import { StepError } from "../../src/core/errors.ts";
import type { StepRecord } from "../../src/core/run.ts";
import { deferred, makeWorkflow, PROBE, START, setup, untilAborted } from "./helpers.ts";

describe("dependencies and concurrency", () => {
  test("a step starts only after the steps it needs have finished", async () => {
    const order: string[] = [];
    const handler = (id: string) => async () => {
      order.push(id);
      return id;
    };
    const { run } = setup({ c: handler("c"), a: handler("a"), b: handler("b") });
    const workflow = makeWorkflow([
      { id: "c", type: PROBE, needs: ["b"] },
      { id: "a", type: PROBE, needs: [] },
      { id: "b", type: PROBE, needs: ["a"] },
    ]);
    const outcome = await run(workflow);
    expect(order).toEqual(["a", "b", "c"]);
    expect(outcome.status).toBe("completed");
  });

  test(
    "independent steps run at the same time",
    async () => {
      // Each step waits until the other has started: run one after the other, this never finishes.
      const aStarted = deferred();
      const bStarted = deferred();
      const { run } = setup({
        a: async () => {
          aStarted.resolve();
          await bStarted.promise;
          return "a";
        },
        b: async () => {
          bStarted.resolve();
          await aStarted.promise;
          return "b";
        },
      });
      const outcome = await run(
        makeWorkflow([
          { id: "a", type: PROBE, needs: [] },
          { id: "b", type: PROBE, needs: [] },
        ]),
      );
      expect(outcome.steps.map((step) => step.status)).toEqual(["completed", "completed"]);
    },
    { timeout: 2000 },
  );

  test("a dependent waits until the observer has recorded its dependency", async () => {
    const release = deferred();
    let bRan = false;
    const { run, observer } = setup({ a: async () => 1, b: async () => (bRan = true) });
    observer.onFinished = async (record) => {
      if (record.id === "a") await release.promise;
    };
    const outcome = run(
      makeWorkflow([
        { id: "a", type: PROBE },
        { id: "b", type: PROBE },
      ]),
    );
    while (!observer.events.some((event) => event.kind === "finished")) await Bun.sleep(0);
    await Bun.sleep(0);
    expect(bRan).toBe(false);
    release.resolve();
    await outcome;
    expect(bRan).toBe(true);
  });

  test("observer calls come in order with the records a store needs", async () => {
    const { run, observer } = setup({ a: async () => ({ n: 1 }) });
    await run(
      makeWorkflow([
        { id: "a", type: PROBE, name: "Step A" },
        { id: "b", if: "{{ false }}", config: { mapping: 1 } },
        { id: "c", type: "fail", needs: ["b"] },
        { id: "d", needs: ["c"], config: { mapping: 2 } },
      ]),
    );
    expect(observer.trace()).toEqual([
      "started:a",
      "finished:a:completed",
      "finished:b:skipped",
      "started:c",
      "finished:c:failed",
      "finished:d:skipped",
    ]);
    const started = observer.events[0] as { record: StepRecord };
    expect(started.record).toMatchObject({ id: "a", name: "Step A", status: "running", attempts: 1 });
    expect(started.record.startedAt).toBe(new Date(START).toISOString());
    const finished = observer.events[1] as { record: StepRecord };
    expect(finished.record).toMatchObject({ status: "completed", output: { n: 1 }, error: null });
    expect(finished.record.completedAt).toBe(new Date(START).toISOString());
  });
});

describe("if and skipped steps", () => {
  test("a false `if` skips the step, and its dependents still run", async () => {
    const { run } = setup();
    const outcome = await run(
      makeWorkflow(
        [
          { id: "check", config: { mapping: { total: 0 } } },
          { id: "charge", if: "{{ steps.check.output.total > 0 }}", type: "fail" },
          { id: "after", config: { mapping: "{{ steps.charge.status }}" } },
        ],
        {},
      ),
    );
    expect(outcome.status).toBe("completed");
    expect(outcome.steps[1]).toMatchObject({ status: "skipped", attempts: 0, output: null, startedAt: null });
    expect(outcome.steps[2]).toMatchObject({ status: "completed", output: "skipped" });
  });

  test("a true `if` runs the step", async () => {
    const { run } = setup();
    const outcome = await run(makeWorkflow([{ id: "a", if: "{{ input.go }}", config: { mapping: "ran" } }]), {
      input: { go: true },
    });
    expect(outcome.steps[0]).toMatchObject({ status: "completed", output: "ran" });
  });

  test("a broken `if` fails the step with TEMPLATE_ERROR, without retrying", async () => {
    const { run } = setup();
    const workflow = makeWorkflow([
      {
        id: "a",
        if: "{{ input.x | nosuchfilter }}",
        retry: { attempts: 3, delayMs: 10, backoff: "fixed", maxDelayMs: 0 },
      },
    ]);
    const outcome = await run(workflow);
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("TEMPLATE_ERROR");
    expect(outcome.error?.step).toBe("a");
    expect(outcome.error?.message).toContain('"if" of step "a"');
    expect(outcome.steps[0]?.attempts).toBe(0);
  });

  test("a config that cannot render fails with TEMPLATE_ERROR", async () => {
    const { run } = setup();
    const outcome = await run(makeWorkflow([{ id: "a", config: { mapping: "{{ 1 | nosuchfilter }}" } }]));
    expect(outcome.steps[0]).toMatchObject({ status: "failed", attempts: 1 });
    expect(outcome.error).toMatchObject({ code: "TEMPLATE_ERROR", step: "a" });
  });
});

describe("failures", () => {
  test("a failed step fails the run, aborts running steps and skips unreached ones", async () => {
    const slowStarted = deferred();
    const { run } = setup({
      slow: async ({ signal }) => {
        slowStarted.resolve();
        return untilAborted(signal);
      },
      boom: async () => {
        await slowStarted.promise;
        throw new StepError("HTTP_STATUS", "POST /x answered 500");
      },
    });
    const outcome = await run(
      makeWorkflow([
        { id: "slow", type: PROBE, needs: [] },
        { id: "boom", type: PROBE, needs: [] },
        { id: "later", needs: ["boom"], config: { mapping: 1 } },
      ]),
    );
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toEqual({ code: "HTTP_STATUS", message: "POST /x answered 500", step: "boom" });
    expect(outcome.steps.map((step) => step.status)).toEqual(["cancelled", "failed", "skipped"]);
    expect(outcome.steps[0]?.error).toEqual({
      code: "CANCELLED",
      message: 'Cancelled because step "boom" failed',
    });
  });

  test("a step whose start was being recorded when the run failed is cancelled without running", async () => {
    let bRan = false;
    const aFinished = deferred();
    const { run, observer } = setup({
      a: async () => {
        throw new StepError("FAIL", "no", { retryable: false });
      },
      b: async () => (bRan = true),
    });
    observer.onFinished = async (record) => {
      if (record.id === "a") aFinished.resolve();
    };
    observer.onStarted = async (record) => {
      if (record.id !== "b") return;
      await aFinished.promise;
      // A macrotask: every pending reaction (the engine noticing a's failure) runs before it.
      await new Promise((done) => setImmediate(done));
    };
    const outcome = await run(
      makeWorkflow([
        { id: "a", type: PROBE, needs: [] },
        { id: "b", type: PROBE, needs: [] },
      ]),
    );
    expect(bRan).toBe(false);
    expect(outcome.steps[1]).toMatchObject({ status: "cancelled", attempts: 1 });
  });

  test("a thrown plain error is STEP_FAILED with its message", async () => {
    const { run } = setup({
      a: async () => {
        throw new Error("disk full");
      },
    });
    const outcome = await run(makeWorkflow([{ id: "a", type: PROBE }]));
    expect(outcome.error).toEqual({ code: "STEP_FAILED", message: "disk full", step: "a" });
  });

  test("continueOnError: the step is failed, dependents run and the run completes", async () => {
    const { run } = setup();
    const outcome = await run(
      makeWorkflow([
        { id: "optional", type: "fail", continueOnError: true, config: { message: "no coupon" } },
        { id: "next", config: { mapping: "{{ steps.optional.error.message }}" } },
      ]),
    );
    expect(outcome.status).toBe("completed");
    expect(outcome.error).toBeNull();
    expect(outcome.steps[0]).toMatchObject({
      status: "failed",
      error: { code: "FAIL", message: "no coupon" },
    });
    expect(outcome.steps[1]).toMatchObject({ status: "completed", output: "no coupon" });
  });

  test("an unknown step type fails the step with INVALID_CONFIG", async () => {
    const { run } = setup();
    // workflow steps are registered by the run service, so the bare engine does not know them.
    const outcome = await run(makeWorkflow([{ id: "child", type: "workflow" }]));
    expect(outcome.error?.code).toBe("INVALID_CONFIG");
    expect(outcome.error?.message).toContain('"workflow"');
  });

  test("output over 1 MiB fails the step with OUTPUT_TOO_LARGE, not retried", async () => {
    let calls = 0;
    const { run } = setup({
      big: async () => {
        calls += 1;
        return "x".repeat(1024 * 1024 + 1);
      },
    });
    const retry = { attempts: 3, delayMs: 0, backoff: "fixed" as const, maxDelayMs: 0 };
    const outcome = await run(makeWorkflow([{ id: "big", type: PROBE, retry }]));
    expect(outcome.error?.code).toBe("OUTPUT_TOO_LARGE");
    expect(calls).toBe(1);
  });

  test("an output of exactly 1 MiB of JSON is accepted", async () => {
    const { run } = setup({ big: async () => "x".repeat(1024 * 1024 - 2) });
    const outcome = await run(makeWorkflow([{ id: "big", type: PROBE }]));
    expect(outcome.status).toBe("completed");
  });
});

describe("run output", () => {
  test("defaults to the output of the last step in the file that completed", async () => {
    const { run } = setup();
    const outcome = await run(
      makeWorkflow([
        { id: "first", config: { mapping: { total: 5 } }, needs: [] },
        { id: "second", config: { mapping: "second" }, needs: [] },
        { id: "third", if: "{{ false }}", needs: [] },
      ]),
    );
    expect(outcome.output).toBe("second");
  });

  test("the workflow's output template renders over the final context", async () => {
    const { run } = setup();
    const workflow = makeWorkflow([{ id: "calc", config: { mapping: { total: 42 } } }], {
      output: { total: "{{ steps.calc.output.total }}", who: "{{ input.name }}" },
    });
    const outcome = await run(workflow, { input: { name: "ada" } });
    expect(outcome.output).toEqual({ total: 42, who: "ada" });
  });

  test("an output template that fails to render fails the run", async () => {
    const { run } = setup();
    const outcome = await run(
      makeWorkflow([{ id: "a", config: { mapping: 1 } }], { output: "{{ 1 | nosuch }}" }),
    );
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("TEMPLATE_ERROR");
  });

  test("the run context carries input, run and env to templates", async () => {
    const { run } = setup({}, { env: { REGION: "eu" } });
    const workflow = makeWorkflow([
      {
        id: "a",
        config: { mapping: ["{{ input.n }}", "{{ run.id }}", "{{ run.workflowId }}", "{{ env.REGION }}"] },
      },
    ]);
    const outcome = await run(workflow, { input: { n: 7 } });
    expect(outcome.output).toEqual([7, "run_TEST", "wf", "eu"]);
  });
});

describe("secrets", () => {
  test("secret values are masked in log lines, step errors and the run error", async () => {
    const { run, observer } = setup(
      {
        leak: async ({ log }) => {
          log("stdout", "token is sk_live_12345");
          throw new StepError("HTTP_STATUS", "rejected key sk_live_12345", { retryable: false });
        },
      },
      { secrets: { STRIPE_KEY: "sk_live_12345" } },
    );
    const outcome = await run(makeWorkflow([{ id: "leak", type: PROBE }]));
    expect(observer.logs.map((line) => line.line)).toContain("token is ***");
    expect(JSON.stringify(observer.logs)).not.toContain("sk_live_12345");
    expect(outcome.steps[0]?.error?.message).toBe("rejected key ***");
    expect(outcome.error?.message).toBe("rejected key ***");
  });
});

describe("resume", () => {
  test("completed and skipped steps are kept; the others run again with their outputs in context", async () => {
    let firstRuns = 0;
    const { run, observer } = setup({
      first: async () => {
        firstRuns += 1;
        return { n: 1 };
      },
    });
    const earlier = new Date(START - 60_000).toISOString();
    const previousSteps: StepRecord[] = [
      {
        id: "first",
        type: PROBE,
        status: "completed",
        attempts: 1,
        startedAt: earlier,
        completedAt: earlier,
        output: { n: 41 },
        error: null,
      },
      {
        id: "maybe",
        type: "fail",
        status: "skipped",
        attempts: 0,
        startedAt: null,
        completedAt: null,
        output: null,
        error: null,
      },
      {
        id: "second",
        type: "transform",
        status: "running",
        attempts: 1,
        startedAt: earlier,
        completedAt: null,
        output: null,
        error: null,
      },
    ];
    const workflow = makeWorkflow([
      { id: "first", type: PROBE },
      { id: "maybe", type: "fail" },
      { id: "second", config: { mapping: "{{ steps.first.output.n | plus: 1 }}" } },
    ]);
    const outcome = await run(workflow, { previousSteps });
    expect(firstRuns).toBe(0);
    expect(outcome.status).toBe("completed");
    expect(outcome.output).toBe(42);
    expect(outcome.steps[2]?.startedAt).toBe(earlier);
    expect(observer.trace()).toEqual(["started:second", "finished:second:completed"]);
  });
});

describe("saving progress", () => {
  test("a step starts only once the steps it needs are saved, and the outcome waits for the last save", async () => {
    const saved = deferred();
    const { run, observer } = setup({ a: async () => 1, b: async () => 2 });
    observer.onFinished = (record) => (record.id === "a" ? saved.promise : Promise.resolve());
    const outcome = run(
      makeWorkflow([
        { id: "a", type: PROBE },
        { id: "b", type: PROBE },
      ]),
    );
    while (!observer.trace().includes("finished:a:completed")) await Bun.sleep(0);
    await Bun.sleep(5);
    expect(observer.trace()).toEqual(["started:a", "finished:a:completed"]);
    saved.resolve();
    expect((await outcome).status).toBe("completed");
    expect(observer.trace()).toEqual([
      "started:a",
      "finished:a:completed",
      "started:b",
      "finished:b:completed",
    ]);
  });

  test("with overlapLastSave the outcome comes before the last save, and `persisted` waits for it", async () => {
    const saved = deferred();
    const { run, observer } = setup({ a: async () => 1 });
    observer.onFinished = () => saved.promise;
    const outcome = await run(makeWorkflow([{ id: "a", type: PROBE }]), { overlapLastSave: true });
    expect(outcome.status).toBe("completed");
    let persisted = false;
    const waiting = outcome.persisted?.then(() => {
      persisted = true;
    });
    await Bun.sleep(1);
    expect(persisted).toBe(false);
    saved.resolve();
    await waiting;
    expect(persisted).toBe(true);
  });
});

describe("observer failures", () => {
  test("an observer that cannot record a step stops the run and the error reaches the caller", async () => {
    let bAborted = false;
    const { run, observer } = setup({
      a: async () => 1,
      b: async ({ signal }) => {
        signal.addEventListener("abort", () => (bAborted = true));
        return untilAborted(signal);
      },
    });
    observer.onFinished = async (record) => {
      if (record.id === "a") throw new Error("database is locked");
    };
    const workflow = makeWorkflow([
      { id: "b", type: PROBE, needs: [] },
      { id: "a", type: PROBE, needs: [] },
    ]);
    await expect(run(workflow)).rejects.toThrow("database is locked");
    expect(bAborted).toBe(true);
  });
});
