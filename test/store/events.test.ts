import { afterEach, describe, expect, test } from "bun:test";
import type { NewSubscription } from "../../src/core/events.ts";
import type { RunFinish } from "../../src/core/store.ts";
import type { SqliteStore } from "../../src/store/index.ts";
import { at, cleanup, newRun, openTempStore } from "./helpers.ts";

afterEach(cleanup);

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

function subscription(overrides: Partial<NewSubscription> = {}): NewSubscription {
  return {
    id: `wh_${Math.random().toString(36).slice(2)}`,
    url: "http://127.0.0.1:9/hook",
    events: ["run.completed"],
    description: null,
    source: "api",
    createdAt: at(0),
    secret: SECRET,
    ...overrides,
  };
}

const completed: RunFinish = {
  status: "completed",
  output: { ok: true },
  error: null,
  completedAt: at(5000),
};

async function finishedRun(
  store: SqliteStore,
  finish: RunFinish = completed,
  webhookUrl: string | null = null,
) {
  const run = newRun({ webhookUrl });
  await store.createRun(run);
  await store.finishRun(run.id, finish, { notify: true });
  return run;
}

describe("the outbox", () => {
  test("a finished run's event and one delivery per matching subscription commit with its final state", async () => {
    const store = openTempStore();
    const onCompleted = subscription({ events: ["run.completed"] });
    const onFailed = subscription({ events: ["run.failed"] });
    const onAny = subscription({ events: ["workflow.executed"] });
    for (const s of [onCompleted, onFailed, onAny]) await store.events.createSubscription(s);
    const run = await finishedRun(store);

    const due = await store.events.dueDeliveries(at(5000), 10, []);
    expect(due.map((d) => d.url).length).toBe(2);
    const bodies = due.map((d) => JSON.parse(d.payload));
    expect(bodies.map((b) => b.type).sort()).toEqual(["run.completed", "workflow.executed"]);
    for (const body of bodies) {
      expect(body.id).toMatch(/^evt_/);
      expect(body.createdAt).toBe(at(5000));
      // The stored run object, in its final state, exactly as GET /runs/:id shows it.
      expect(body.data).toEqual(await store.getRun(run.id));
      expect(body.data.status).toBe("completed");
    }
    const [first] = await store.events.listDeliveries(onCompleted.id, 10).then((p) => p.deliveries);
    expect(first).toMatchObject({ eventType: "run.completed", status: "pending", attempts: [] });
    expect((await store.events.listDeliveries(onFailed.id, 10)).deliveries).toEqual([]);
  });

  test("a run's own webhookUrl gets the run.<status> event, with no secret of a subscription", async () => {
    const store = openTempStore();
    const finish: RunFinish = {
      status: "failed",
      output: null,
      error: { code: "FAIL", message: "no" },
      completedAt: at(1),
    };
    await finishedRun(store, finish, "http://127.0.0.1:9/run-hook");
    const due = await store.events.dueDeliveries(at(1), 10, []);
    expect(due).toHaveLength(1);
    expect(due[0]).toMatchObject({ url: "http://127.0.0.1:9/run-hook", secret: null, trusted: false });
    expect(JSON.parse(due[0]?.payload ?? "").type).toBe("run.failed");
  });

  test("nothing is written when nobody listens, without notify, or when the run was already finished", async () => {
    const store = openTempStore();
    await finishedRun(store);
    expect(await store.events.nextDueAt([])).toBeNull();

    await store.events.createSubscription(subscription());
    const quiet = newRun();
    await store.createRun(quiet);
    await store.finishRun(quiet.id, completed);
    expect(await store.events.nextDueAt([])).toBeNull();

    // A second finish (a cancel racing completion) changes nothing and sends nothing twice.
    expect(await store.finishRun(quiet.id, { ...completed, status: "cancelled" }, { notify: true })).toBe(
      false,
    );
    expect(await store.events.nextDueAt([])).toBeNull();
  });

  test("subscriptions created or deleted between runs are seen by the next run's finish", async () => {
    const store = openTempStore();
    await finishedRun(store);
    const sub = subscription();
    await store.events.createSubscription(sub);
    await finishedRun(store);
    expect((await store.events.listDeliveries(sub.id, 10)).deliveries).toHaveLength(1);
    await store.events.deleteSubscription(sub.id);
    await finishedRun(store);
    expect(await store.events.nextDueAt([])).toBeNull();
  });

  test("attempts are recorded in order and a finished delivery is no longer due", async () => {
    const store = openTempStore();
    const sub = subscription();
    await store.events.createSubscription(sub);
    await finishedRun(store);
    const [due] = await store.events.dueDeliveries(at(5000), 10, []);
    if (!due) throw new Error("no delivery");
    await store.events.recordAttempt(due.id, {
      attempt: { attemptedAt: at(5000), statusCode: 500, error: "answered 500", durationMs: 3 },
      status: "pending",
      nextAttemptAt: at(10_000),
    });
    expect(await store.events.dueDeliveries(at(9999), 10, [])).toEqual([]);
    expect(await store.events.nextDueAt([])).toBe(at(10_000));
    await store.events.recordAttempt(due.id, {
      attempt: { attemptedAt: at(10_000), statusCode: 204, error: null, durationMs: 2 },
      status: "delivered",
      nextAttemptAt: null,
    });
    const [delivery] = (await store.events.listDeliveries(sub.id, 10)).deliveries;
    expect(delivery?.status).toBe("delivered");
    expect(delivery?.completedAt).toBe(at(10_000));
    expect(delivery?.attempts.map((a) => a.statusCode)).toEqual([500, 204]);
    expect(await store.events.nextDueAt([])).toBeNull();
  });

  test("due deliveries leave out those in flight", async () => {
    const store = openTempStore();
    await store.events.createSubscription(subscription({ events: ["run.completed", "workflow.executed"] }));
    await finishedRun(store);
    const all = await store.events.dueDeliveries(at(5000), 10, []);
    expect(all).toHaveLength(2);
    const rest = await store.events.dueDeliveries(at(5000), 10, [all[0]?.id ?? ""]);
    expect(rest.map((d) => d.id)).toEqual([all[1]?.id ?? ""]);
    expect(await store.events.nextDueAt(all.map((d) => d.id))).toBeNull();
  });
});

describe("subscriptions", () => {
  test("config subscriptions are synced in place: kept ones keep their pending deliveries and secret", async () => {
    const store = openTempStore();
    const kept = subscription({ id: "wh_cfg_kept", source: "config" });
    const dropped = subscription({ id: "wh_cfg_dropped", source: "config" });
    await store.events.syncConfigSubscriptions([kept, dropped]);
    await finishedRun(store);
    expect(await store.events.dueDeliveries(at(5000), 10, [])).toHaveLength(2);

    await store.events.syncConfigSubscriptions([
      { ...kept, secret: null, events: ["run.completed", "run.failed"] },
    ]);
    const subscriptions = await store.events.listSubscriptions();
    expect(subscriptions.map((s) => [s.id, s.events])).toEqual([
      ["wh_cfg_kept", ["run.completed", "run.failed"]],
    ]);
    const due = await store.events.dueDeliveries(at(5000), 10, []);
    expect(due.map((d) => [d.secret, d.trusted])).toEqual([[SECRET, true]]);
  });

  test("listing never includes the secret; deleting removes the deliveries too", async () => {
    const store = openTempStore();
    const sub = subscription();
    await store.events.createSubscription(sub);
    await finishedRun(store);
    const listed = await store.events.listSubscriptions();
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(SECRET);
    expect(await store.events.getSubscription(sub.id)).toEqual(listed[0] ?? null);
    expect(await store.events.deleteSubscription(sub.id)).toBe(true);
    expect(await store.events.deleteSubscription(sub.id)).toBe(false);
    expect(await store.events.nextDueAt([])).toBeNull();
  });

  test("deliveries page newest first with a cursor", async () => {
    const store = openTempStore();
    const sub = subscription();
    await store.events.createSubscription(sub);
    for (let i = 0; i < 5; i++) await finishedRun(store);
    const first = await store.events.listDeliveries(sub.id, 3);
    expect(first.deliveries).toHaveLength(3);
    const second = await store.events.listDeliveries(sub.id, 3, first.nextCursor ?? undefined);
    expect(second.deliveries).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.deliveries, ...second.deliveries].map((d) => d.id);
    expect(new Set(ids).size).toBe(5);
    expect(ids).toEqual([...ids].sort().reverse());
  });

  test("old events whose deliveries are finished are pruned; pending ones are kept", async () => {
    const store = openTempStore();
    await store.events.createSubscription(subscription());
    await finishedRun(store);
    expect(await store.events.pruneEvents(at(10 ** 9))).toBe(0);
    const [due] = await store.events.dueDeliveries(at(5000), 10, []);
    await store.events.recordAttempt(due?.id ?? "", {
      attempt: { attemptedAt: at(6000), statusCode: 200, error: null, durationMs: 1 },
      status: "delivered",
      nextAttemptAt: null,
    });
    expect(await store.events.pruneEvents(at(1000))).toBe(0);
    expect(await store.events.pruneEvents(at(10 ** 9))).toBe(1);
  });
});
