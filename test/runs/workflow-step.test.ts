import { afterEach, expect, test } from "bun:test";
import type { Run } from "../../src/core/run.ts";
import { MAX_RUN_NESTING } from "../../src/runs/workflow-step.ts";
import { createRuntime, type Runtime } from "../helpers/runtime.ts";

const CHILD = `
name: Child
steps:
  - id: double
    type: transform
    config: { mapping: { value: "{{ input.n | times: 2 }}" } }
`;
const PARENT = `
name: Parent
steps:
  - id: call
    type: workflow
    config: { workflow: child, input: { n: "{{ input.n }}" } }
`;
const LOOP = `
name: Loop
steps:
  - id: again
    type: workflow
    config: { workflow: loop }
`;

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.runs.stop(0);
  await runtime?.store.close();
  runtime = undefined;
});

async function defineAll(rt: Runtime, files: Record<string, string>): Promise<void> {
  for (const [file, yaml] of Object.entries(files)) await rt.catalog.define(file, yaml);
}

/** Starts `count` runs of `workflowId` at once and waits (at most 5 s each) for them to finish. */
async function runAtOnce(rt: Runtime, workflowId: string, count: number): Promise<(Run | null)[]> {
  const created = await Promise.all(
    Array.from({ length: count }, (_, n) =>
      rt.runs.create({ workflowId, input: { n }, trigger: { type: "api" } }),
    ),
  );
  return Promise.all(created.map(({ run }) => rt.runs.waitForFinish(run?.id as string, 5_000)));
}

test("parents waiting for their children never hold every slot of the global concurrency", async () => {
  runtime = createRuntime({ concurrency: 2 });
  await defineAll(runtime, { "child.yaml": CHILD, "parent.yaml": PARENT });
  await runtime.runs.start();
  const finished = await runAtOnce(runtime, "parent", 6);
  expect(finished.map((run) => run?.status)).toEqual(Array(6).fill("completed"));
  expect(finished.map((run) => run?.output)).toEqual([0, 1, 2, 3, 4, 5].map((n) => ({ value: n * 2 })));
  // Every slot lent was taken back: with the runs done, a new run starts at once.
  const [after] = await runAtOnce(runtime, "child", 1);
  expect(after?.status).toBe("completed");
});

test("a workflow that calls itself fails at the nesting limit instead of filling the daemon", async () => {
  runtime = createRuntime({ concurrency: 4 });
  await defineAll(runtime, { "loop.yaml": LOOP });
  await runtime.runs.start();
  const [top] = await runAtOnce(runtime, "loop", 1);
  expect(top?.status).toBe("failed");
  const { runs } = await runtime.store.listRuns({ workflowId: "loop", limit: 100 });
  expect(runs).toHaveLength(MAX_RUN_NESTING);
  const deepest = runs[0] as Run;
  expect(deepest.error).toMatchObject({ code: "STEP_FAILED", step: "again" });
  expect(deepest.error?.message).toBe(
    `workflow step: runs nest at most ${MAX_RUN_NESTING} levels deep; a run of loop here would be level ${MAX_RUN_NESTING + 1} (does a workflow call itself?)`,
  );
  expect(runs.every((run) => run.status === "failed")).toBe(true);
});

test("a run executed inline (wfd run) starts its child runs without a dispatching daemon", async () => {
  runtime = createRuntime();
  await defineAll(runtime, { "child.yaml": CHILD, "parent.yaml": PARENT });
  const { run } = await runtime.runs.create({
    workflowId: "parent",
    input: { n: 21 },
    trigger: { type: "cli" },
  });
  const finished = await runtime.runs.runInline(run?.id as string, {}, new AbortController().signal);
  expect(finished).toMatchObject({ status: "completed", output: { value: 42 } });
  const children = (await runtime.store.listRuns({ workflowId: "child", limit: 10 })).runs;
  expect(children.map((child) => child.status)).toEqual(["completed"]);
});
