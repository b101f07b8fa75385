import { DeliveryWorker } from "../events/delivery.ts";
import { WebhookSubscriptions } from "../events/subscriptions.ts";
import { outboundUrlProblem } from "../lib/outbound-url.ts";
import type { Services } from "./services.ts";
import { loadOrCreateRunWebhookSecret } from "./webhook-secret.ts";

/** The outbound webhook parts of `wfd serve`. */
export interface EventParts {
  subscriptions: WebhookSubscriptions;
  worker: DeliveryWorker;
  /** Why a caller-supplied URL may not be called (private or loopback unless allowed), or null. */
  urlProblem: (url: string) => Promise<string | null>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the subscriptions service and the delivery worker on the services' store. Start syncs
 * the config's subscriptions and wakes the worker whenever a run finishes.
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
  let unsubscribe = () => {};
  return {
    subscriptions,
    worker,
    urlProblem,
    async start() {
      await subscriptions.syncConfig(config.webhooks);
      unsubscribe = runs.events.on("run:finished", () => worker.notify());
      worker.start();
    },
    async stop() {
      unsubscribe();
      await worker.stop();
    },
  };
}
