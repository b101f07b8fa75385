import { EventBus } from "../events/bus.ts";
import { DeliveryWorker } from "../events/delivery.ts";
import { WebhookSubscriptions } from "../events/subscriptions.ts";
import { outboundUrlProblem } from "../lib/outbound-url.ts";
import type { Services } from "./services.ts";
import { loadOrCreateRunWebhookSecret } from "./webhook-secret.ts";

/** The outbound webhook parts of `wfd serve`. */
export interface EventParts {
  /** run.completed, run.failed, run.cancelled, workflow.executed, form.submitted as they happen. */
  bus: EventBus;
  subscriptions: WebhookSubscriptions;
  worker: DeliveryWorker;
  /** Why a caller-supplied URL may not be called (private or loopback unless allowed), or null. */
  urlProblem: (url: string) => Promise<string | null>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the event bus, the subscriptions service and the delivery worker on the services' store.
 * Start syncs the config's subscriptions and publishes every finished run on the bus, which
 * wakes the worker.
 */
export function createEventParts(services: Services, print: (line: string) => void): EventParts {
  const { config, store, clock, logger, runs } = services;
  const urlProblem = (url: string) => outboundUrlProblem(url, config.outbound.allowPrivate);
  const subscriptions = new WebhookSubscriptions({ store: store.events, clock, urlProblem, announce: print });
  const worker = new DeliveryWorker({
    store: store.events,
    runSecret: loadOrCreateRunWebhookSecret(config.dataDir, config.outbound.secret),
    clock,
    logger,
    urlProblem,
  });
  const bus = new EventBus();
  let unsubscribe = () => {};
  return {
    bus,
    subscriptions,
    worker,
    urlProblem,
    async start() {
      await subscriptions.syncConfig(config.webhooks);
      const offRuns = runs.events.on("run:finished", (run) => bus.publishFinishedRun(run));
      // Every finished run is workflow.executed; its outbox rows are committed by then. A run
      // nobody receives wrote none, and waking the worker for it would cost two queries.
      const offWorker = bus.on("workflow.executed", (run) => {
        if (run.webhookUrl) return worker.notify();
        // Should the check fail, waking the worker is the safe answer (and never an unhandled rejection).
        store.events.hasSubscribersFor(run.status).then(
          (subscribed) => subscribed && worker.notify(),
          () => worker.notify(),
        );
      });
      unsubscribe = () => {
        offRuns();
        offWorker();
      };
      worker.start();
    },
    async stop() {
      unsubscribe();
      // Attempts in flight get a short grace: at most 5 s, and no more than runs get.
      await worker.stop(Math.min(config.shutdownGraceMs, 5_000));
    },
  };
}
