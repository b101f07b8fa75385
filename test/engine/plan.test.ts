import { describe, expect, test } from "bun:test";
import { buildPlan } from "../../src/engine/plan.ts";
import { PreparedWorkflowCache } from "../../src/engine/prepared.ts";
import { StepRegistry } from "../../src/engine/registry.ts";
import { createStepRegistry } from "../../src/engine/steps/index.ts";
import { makeWorkflow, setup } from "./helpers.ts";

describe("buildPlan", () => {
  test("maps each step to the steps that need it", () => {
    const result = buildPlan(
      makeWorkflow([{ id: "a" }, { id: "b", needs: ["a"] }, { id: "c", needs: ["a", "a"] }]).steps,
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.plan.dependents.get("a")).toEqual(["b", "c"]);
  });

  test("an unknown need is reported by name", () => {
    const result = buildPlan(makeWorkflow([{ id: "a" }, { id: "b", needs: ["ghost"] }]).steps);
    expect(result).toEqual({ ok: false, message: 'step "b" needs unknown step "ghost"' });
  });

  test("a cycle is reported with the steps on it", () => {
    const steps = makeWorkflow([
      { id: "start", needs: [] },
      { id: "x", needs: ["y"] },
      { id: "y", needs: ["x"] },
    ]).steps;
    expect(buildPlan(steps)).toEqual({
      ok: false,
      message: 'steps "x", "y" depend on each other in a cycle',
    });
  });

  test("a step needing itself is a cycle", () => {
    expect(buildPlan(makeWorkflow([{ id: "a", needs: ["a"] }]).steps).ok).toBe(false);
  });

  test("a duplicate step id is reported", () => {
    expect(buildPlan(makeWorkflow([{ id: "a" }, { id: "a" }]).steps)).toEqual({
      ok: false,
      message: 'step id "a" is used twice',
    });
  });
});

describe("engine with a broken plan", () => {
  test("a cycle fails the run with INTERNAL_ERROR instead of hanging, and every step is recorded", async () => {
    const { run, observer } = setup();
    const outcome = await run(
      makeWorkflow([
        { id: "x", needs: ["y"] },
        { id: "y", needs: ["x"] },
      ]),
    );
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("INTERNAL_ERROR");
    expect(outcome.error?.message).toContain("cycle");
    expect(observer.trace()).toEqual(["finished:x:skipped", "finished:y:skipped"]);
  });
});

describe("PreparedWorkflowCache", () => {
  test("compiles a version once and reuses it", () => {
    const cache = new PreparedWorkflowCache(2);
    const workflow = makeWorkflow([{ id: "a", config: { mapping: "{{ input.x }}" } }]);
    expect(cache.get("v1", workflow)).toBe(cache.get("v1", workflow));
  });

  test("drops the least recently used version past its limit", () => {
    const cache = new PreparedWorkflowCache(2);
    const workflow = makeWorkflow([{ id: "a" }]);
    const v1 = cache.get("v1", workflow);
    const v2 = cache.get("v2", workflow);
    cache.get("v1", workflow);
    cache.get("v3", workflow);
    expect(cache.get("v1", workflow)).toBe(v1);
    expect(cache.get("v2", workflow)).not.toBe(v2);
  });
});

describe("StepRegistry", () => {
  test("the built-in registry has the six built-in types", () => {
    expect(createStepRegistry().types()).toEqual(["transform", "http", "shell", "email", "sleep", "fail"]);
  });

  test("registering a type twice is refused", () => {
    const registry = new StepRegistry();
    const executor = { type: "fail" as const, execute: async () => null };
    registry.register(executor);
    expect(registry.get("fail")).toBe(executor);
    expect(registry.get("email")).toBeUndefined();
    expect(() => registry.register(executor)).toThrow('Step type "fail" is already registered');
  });
});
