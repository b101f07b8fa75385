import { afterEach, describe, expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import {
  attempted,
  finishRun,
  RUN_SECRET,
  receiver,
  SUB_SECRET,
  setup,
  stopAll,
  stops,
} from "./delivery-helpers.ts";

afterEach(stopAll);

describe("the delivery worker", () => {
  test("delivers the event signed for the subscription, verifiable with standardwebhooks", async () => {
    const { store, hook, clock, start } = await setup([204]);
    const worker = start();
    const done = attempted(worker);
    const run = await finishRun(store, clock);
    worker.notify();
    expect((await done).status).toBe("delivered");
    const [request] = hook.received;
    if (!request) throw new Error("nothing received");
    const event = new Webhook(SUB_SECRET).verify(request.body, request.headers) as Record<string, unknown>;
    expect(event).toMatchObject({
      type: "run.completed",
      data: { id: run.id, status: "completed", output: 42 },
    });
    expect(request.headers["webhook-id"]).toBe(event.id as string);
    expect(request.headers["content-type"]).toBe("application/json");
    const [delivery] = (await store.events.listDeliveries("wh_test", 10)).deliveries;
    expect(delivery?.status).toBe("delivered");
    expect(delivery?.attempts).toMatchObject([{ statusCode: 204, error: null }]);
  });

  test("a run's webhookUrl is signed with the run secret", async () => {
    const { store, clock, start } = await setup([200]);
    const own = receiver([200]);
    stops.push(() => own.stop());
    const worker = start();
    const both = Promise.all([
      worker.events.waitFor("delivery:attempted", (a) => a.url === own.url),
      worker.events.waitFor("delivery:attempted", (a) => a.url !== own.url),
    ]);
    await finishRun(store, clock, own.url);
    worker.notify();
    await both;
    const [request] = own.received;
    if (!request) throw new Error("nothing received");
    expect(new Webhook(RUN_SECRET).verify(request.body, request.headers)).toMatchObject({
      type: "run.completed",
    });
    expect(() => new Webhook(SUB_SECRET).verify(request.body, request.headers)).toThrow();
  });

  test("non-2xx answers are retried with backoff under the same webhook-id", async () => {
    const { store, hook, clock, start } = await setup([500, 503, 200]);
    const worker = start();
    let next = attempted(worker);
    await finishRun(store, clock);
    worker.notify();
    expect(await next).toMatchObject({ status: "pending", statusCode: 500, error: "answered 500" });
    // 5 s base, doubling, jitter in the upper half (random 0.5 -> 3/4 of the delay).
    next = attempted(worker);
    await clock.advance(3749);
    expect(hook.received).toHaveLength(1);
    await clock.advance(1);
    expect(await next).toMatchObject({ status: "pending", statusCode: 503 });
    next = attempted(worker);
    await clock.advance(7500);
    expect(await next).toMatchObject({ status: "delivered", statusCode: 200 });
    expect(new Set(hook.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const [delivery] = (await store.events.listDeliveries("wh_test", 10)).deliveries;
    expect(delivery?.attempts.map((a) => a.statusCode)).toEqual([500, 503, 200]);
  });

  test("gives up once the retry window is over, and says so on the delivery", async () => {
    const { store, clock, start } = await setup([500], { retryForMs: 10_000 });
    const worker = start();
    let next = attempted(worker);
    await finishRun(store, clock);
    worker.notify();
    expect((await next).status).toBe("pending");
    next = attempted(worker);
    await clock.advance(3750);
    // The next try would come 7.5 s later, past the 10 s window.
    expect((await next).status).toBe("failed");
    const [delivery] = (await store.events.listDeliveries("wh_test", 10)).deliveries;
    expect(delivery).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(delivery?.attempts).toHaveLength(2);
    expect(await store.events.nextDueAt([])).toBeNull();
  });

  test("an attempt with no answer times out on the clock and is retried", async () => {
    const { store, clock, start } = await setup(["hang", 200], { timeoutMs: 10_000 });
    const worker = start();
    const next = attempted(worker);
    await finishRun(store, clock);
    worker.notify();
    await clock.waitForSleepers(2);
    await clock.advance(10_000);
    expect(await next).toMatchObject({
      status: "pending",
      statusCode: null,
      error: "no answer within 10000 ms",
    });
  });

  test("deliveries survive a restart: a new worker on the same store sends what was left", async () => {
    const { store, hook, clock, start } = await setup(["hang", 200]);
    const first = start();
    await finishRun(store, clock);
    first.notify();
    await hook.nextRequest;
    // Stopped mid-attempt: nothing is recorded, the delivery stays pending.
    await first.stop();
    expect((await store.events.listDeliveries("wh_test", 10)).deliveries[0]).toMatchObject({
      status: "pending",
      attempts: [],
    });
    const second = start();
    expect(await attempted(second)).toMatchObject({ status: "delivered" });
    expect(hook.received).toHaveLength(2);
    expect(hook.received[0]?.headers["webhook-id"]).toBe(hook.received[1]?.headers["webhook-id"] as string);
  });

  test("stop lets an attempt in flight finish within its grace, then nothing is sent again", async () => {
    const { store, hook, clock, start } = await setup(["hang"]);
    const worker = start();
    const done = attempted(worker);
    await finishRun(store, clock);
    worker.notify();
    await hook.nextRequest;
    const stopped = worker.stop(5_000);
    await hook.release();
    expect((await done).status).toBe("delivered");
    await stopped;
    expect((await store.events.listDeliveries("wh_test", 10)).deliveries[0]?.status).toBe("delivered");
  });

  test("a caller's URL that turned private is not sent to (and retried later); config URLs are trusted", async () => {
    const { store, hook, clock, start } = await setup([200], {
      urlProblem: async () => "points to a private address",
    });
    const operators = receiver([200]);
    stops.push(() => operators.stop());
    await store.events.syncConfigSubscriptions([
      {
        id: "wh_cfg_1",
        url: operators.url,
        events: ["run.completed"],
        description: null,
        source: "config",
        createdAt: new Date(clock.now()).toISOString(),
        secret: SUB_SECRET,
      },
    ]);
    const worker = start();
    const results = Promise.all([
      worker.events.waitFor("delivery:attempted", (a) => a.url === hook.url),
      worker.events.waitFor("delivery:attempted", (a) => a.url === operators.url),
    ]);
    await finishRun(store, clock);
    worker.notify();
    const [callers, config] = await results;
    expect(callers).toMatchObject({
      status: "pending",
      statusCode: null,
      error: "url points to a private address",
    });
    expect(hook.received).toHaveLength(0);
    expect(config.status).toBe("delivered");
    expect(operators.received).toHaveLength(1);
  });

  test("more due deliveries than slots are all sent, a few at a time", async () => {
    const { store, hook, clock, start } = await setup([200], { concurrency: 2 });
    for (let i = 0; i < 7; i++) await finishRun(store, clock);
    const worker = start();
    let delivered = 0;
    await new Promise<void>((resolve) =>
      worker.events.on("delivery:attempted", ({ status }) => {
        if (status === "delivered" && ++delivered === 7) resolve();
      }),
    );
    expect(hook.received).toHaveLength(7);
    expect(await store.events.nextDueAt([])).toBeNull();
  });

  test("a refused connection is a retried network error", async () => {
    const { store, clock, start } = await setup([200]);
    const closed = receiver([200]);
    await closed.stop();
    const worker = start();
    const next = attempted(worker);
    await finishRun(store, clock, closed.url);
    worker.notify();
    const result = await worker.events.waitFor("delivery:attempted", (a) => a.url === closed.url);
    expect(result).toMatchObject({ status: "pending", statusCode: null });
    expect(result.error).toBeTruthy();
    await next;
  });
});
