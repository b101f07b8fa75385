import { afterEach, expect, test } from "bun:test";
import { WfdError } from "../../src/core/errors.ts";
import type { CreateRunRequest } from "../../src/core/runs.ts";
import { createRuntime, type Runtime } from "../helpers/runtime.ts";

/**
 * An order workflow; `extra` is added to its inputSchema's properties, `header` to the file's top,
 * `required` is the schema's list.
 */
const order = (extra = "", header = "", required = "[items]") => `
name: Order
${header}
inputSchema:
  type: object
  required: ${required}
  properties:
    items: { type: array }
${extra}
steps:
  - id: count
    type: transform
    config: { mapping: { count: "{{ input.items | size }}" } }
`;

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.runs.stop(0);
  await runtime?.store.close();
  runtime = undefined;
});

const request = (input: unknown, key = "order-42"): CreateRunRequest => ({
  workflowId: "order",
  input,
  idempotencyKey: key,
  trigger: { type: "api" },
});

async function firstRun(rt: Runtime): Promise<string> {
  await rt.catalog.define("order.yaml", order());
  await rt.runs.start();
  const first = await rt.runs.create(request({ items: [1] }));
  return first.run?.id as string;
}

async function errorOf(promise: Promise<unknown>): Promise<WfdError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WfdError);
  return error as WfdError;
}

test("a retry replays after the workflow gained a default or a stricter schema", async () => {
  runtime = createRuntime();
  const runId = await firstRun(runtime);
  const edits = [
    order("    currency: { type: string, default: usd }"),
    order("    currency: { type: string, default: usd }\n  additionalProperties: false"),
    order("    customer: { type: string }", "", "[items, customer]"),
  ];
  for (const edit of edits) {
    await runtime.catalog.define("order.yaml", edit);
    const again = await runtime.runs.create(request({ items: [1] }));
    expect(again).toMatchObject({ replayed: true, run: { id: runId } });
  }
  expect((await runtime.store.listRuns({ limit: 10 })).runs).toHaveLength(1);
});

test("a retry replays after the workflow was disabled, and other input still conflicts", async () => {
  runtime = createRuntime();
  const runId = await firstRun(runtime);
  await runtime.catalog.define("order.yaml", order("", "status: disabled"));
  const again = await runtime.runs.create(request({ items: [1] }));
  expect(again).toMatchObject({ replayed: true, run: { id: runId } });
  const other = await errorOf(runtime.runs.create(request({ items: [1, 2] })));
  expect(other.code).toBe("CONFLICT");
  expect(other.message).toBe(
    `Idempotency key "order-42" was already used with a different input (run ${runId})`,
  );
  const fresh = await errorOf(runtime.runs.create(request({ items: [1] }, "order-43")));
  expect(fresh.code).toBe("INVALID_STATUS");
  expect(fresh.message).toBe("Workflow must be active to run. Current status: disabled");
});

test("input is compared as the run's own version validated it, defaults included", async () => {
  runtime = createRuntime();
  await runtime.catalog.define("order.yaml", order("    currency: { type: string, default: usd }"));
  await runtime.runs.start();
  const first = await runtime.runs.create(request({ items: [] }));
  await runtime.catalog.define("order.yaml", order("    currency: { type: string, default: eur }"));
  const replayed = { replayed: true, run: { id: first.run?.id as string } };
  expect(await runtime.runs.create(request({ items: [] }))).toMatchObject(replayed);
  expect(await runtime.runs.create(request({ items: [], currency: "usd" }))).toMatchObject(replayed);
  const changed = await errorOf(runtime.runs.create(request({ items: [], currency: "eur" })));
  expect(changed.code).toBe("CONFLICT");
});
