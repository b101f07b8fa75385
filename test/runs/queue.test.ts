import { expect, test } from "bun:test";
import { type QueuedRun, RunQueue } from "../../src/runs/queue.ts";

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

test("runs of one workflow start in arrival order, the oldest of all workflows first", () => {
  const queue = new RunQueue(10);
  queue.enqueue({ runId: "b1", workflowId: "b" });
  queue.enqueue({ runId: "a1", workflowId: "a", workflowLimit: 2 });
  queue.enqueue({ runId: "b2", workflowId: "b" });
  queue.enqueue({ runId: "a2", workflowId: "a", workflowLimit: 2 });
  queue.enqueue({ runId: "a3", workflowId: "a", workflowLimit: 2 });
  queue.remove("b2");
  const order = [queue.take(), queue.take(), queue.take(), queue.take()].map((run) => run?.runId);
  expect(order).toEqual(["b1", "a1", "a2", undefined]);
  expect(queue.pending).toBe(1);
  queue.release("a");
  expect(queue.take()?.runId).toBe("a3");
  expect(queue.pending).toBe(0);
});

test("a long backlog of a workflow at its limit keeps its order and lets others through", () => {
  const queue = new RunQueue(100);
  for (let index = 0; index < 5000; index++) {
    queue.enqueue({ runId: `held-${index}`, workflowId: "held", workflowLimit: 1 });
  }
  expect(queue.take()?.runId).toBe("held-0");
  for (let index = 0; index < 3000; index++) {
    queue.enqueue({ runId: `free-${index}`, workflowId: "free" });
    expect(queue.take()?.runId).toBe(`free-${index}`);
    queue.release("free");
  }
  for (let index = 1; index < 5000; index++) {
    queue.release("held");
    expect(queue.take()?.runId).toBe(`held-${index}`);
  }
  expect(queue.pending).toBe(0);
});

test("a run waiting for a child lends its global slot, keeps its workflow's, and takes it back", () => {
  const queue = new RunQueue(1);
  queue.enqueue({ runId: "parent", workflowId: "p", workflowLimit: 1 });
  queue.enqueue({ runId: "child", workflowId: "c" });
  queue.enqueue({ runId: "parent2", workflowId: "p", workflowLimit: 1 });
  const parent = queue.take() as QueuedRun;
  expect(queue.take()).toBeUndefined();
  expect(queue.lend("child")).toBe(false);
  expect(queue.lend("parent")).toBe(true);
  expect(queue.take()?.runId).toBe("child");
  expect(queue.take()).toBeUndefined();
  queue.reclaim();
  expect(queue.running).toBe(2);
  queue.releaseTaken({ runId: "child", workflowId: "c" });
  queue.releaseTaken(parent);
  expect(queue.lend("parent")).toBe(false);
  expect(queue.take()?.runId).toBe("parent2");
});
