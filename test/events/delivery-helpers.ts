import type { Server } from "bun";
import { DeliveryWorker, type DeliveryWorkerOptions } from "../../src/events/delivery.ts";
import { generateWebhookSecret } from "../../src/events/signing.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import type { SqliteStore } from "../../src/store/index.ts";
import { cleanup, newRun, openTempStore } from "../store/helpers.ts";

/** What the delivery worker tests share: local receivers, a store with one subscription, finished runs. */

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A local receiver answering each request with the next status of `script` (the last one repeats). */
export function receiver(script: (number | "hang")[]) {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  let hung: Array<() => void> = [];
  const server: Server<unknown> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      received.push({ headers: Object.fromEntries(request.headers), body: await request.text() });
      for (const wake of waiters.splice(0)) wake();
      const next = script[Math.min(received.length - 1, script.length - 1)];
      if (next === "hang") await new Promise<void>((resolve) => hung.push(resolve));
      return new Response(null, { status: next === "hang" ? 200 : next });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/hook`,
    received,
    /** Resolves when the first request has arrived. */
    nextRequest: new Promise<void>((resolve) => waiters.push(resolve)),
    /** Answers the requests held by "hang" (200). */
    async release() {
      for (const answer of hung) answer();
      hung = [];
    },
    async stop() {
      for (const release of hung) release();
      hung = [];
      await server.stop(true);
    },
  };
}

/** Stopped (receivers, workers) after each test by stopAll. */
export const stops: Array<() => Promise<void>> = [];

/** Stops what the test started and removes its store; each test file runs it in afterEach. */
export async function stopAll(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop();
  await cleanup();
}

export const SUB_SECRET = generateWebhookSecret();
export const RUN_SECRET = generateWebhookSecret();

/** A store with the subscription `wh_test` to a receiver answering `script`, and a worker starter. */
export async function setup(script: (number | "hang")[], options: Partial<DeliveryWorkerOptions> = {}) {
  const store = openTempStore();
  const hook = receiver(script);
  stops.push(() => hook.stop());
  const clock = new ManualClock(Date.now());
  await store.events.createSubscription({
    id: "wh_test",
    url: hook.url,
    events: ["run.completed"],
    description: null,
    source: "api",
    createdAt: new Date(clock.now()).toISOString(),
    secret: SUB_SECRET,
  });
  const start = (extra: Partial<DeliveryWorkerOptions> = {}) => {
    const worker = new DeliveryWorker({
      store: store.events,
      runSecret: RUN_SECRET,
      clock,
      random: () => 0.5,
      ...options,
      ...extra,
    });
    stops.push(() => worker.stop());
    worker.start();
    return worker;
  };
  return { store, hook, clock, start };
}

/** Creates and completes a run, writing its outbox rows. */
export async function finishRun(store: SqliteStore, clock: ManualClock, webhookUrl: string | null = null) {
  const run = newRun({ webhookUrl, createdAt: new Date(clock.now()).toISOString() });
  await store.createRun(run);
  const completedAt = new Date(clock.now()).toISOString();
  await store.finishRun(
    run.id,
    { status: "completed", output: 42, error: null, completedAt },
    { notify: true },
  );
  return run;
}

/** The next attempt of the worker. */
export function attempted(worker: DeliveryWorker) {
  return worker.events.waitFor("delivery:attempted");
}
