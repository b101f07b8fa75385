import { expect, test } from "bun:test";
import { RunQueue } from "../../src/runs/queue.ts";

test("runs start in FIFO order up to the global limit", () => {
  const queue = new RunQueue(2);
  for (const id of ["a", "b", "c"]) queue.enqueue({ runId: id, workflowId: "w" });
  expect(queue.take()?.runId).toBe("a");
  expect(queue.take()?.runId).toBe("b");
  expect(queue.take()).toBeUndefined();
  queue.release("w");
  expect(queue.take()?.runId).toBe("c");
  expect(queue.running).toBe(2);
});

test("a workflow at its own limit does not block other workflows queued behind it", () => {
  const queue = new RunQueue(10);
  queue.enqueue({ runId: "a1", workflowId: "a", workflowLimit: 1 });
  queue.enqueue({ runId: "a2", workflowId: "a", workflowLimit: 1 });
  queue.enqueue({ runId: "b1", workflowId: "b" });
  expect(queue.take()?.runId).toBe("a1");
  expect(queue.take()?.runId).toBe("b1");
  expect(queue.take()).toBeUndefined();
  queue.release("a");
  expect(queue.take()?.runId).toBe("a2");
});

test("a run is queued once and can be removed before it starts", () => {
  const queue = new RunQueue(1);
  queue.enqueue({ runId: "a", workflowId: "w" });
  queue.enqueue({ runId: "a", workflowId: "w" });
  expect(queue.pending).toBe(1);
  expect(queue.remove("a")).toBe(true);
  expect(queue.remove("a")).toBe(false);
  expect(queue.take()).toBeUndefined();
});
