import { type ErrorDetail, WfdError } from "../core/errors.ts";
import type { Delivery, EventStore, EventType, WebhookSubscription } from "../core/events.ts";
import { isoTime } from "../core/run.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { sha256Hex } from "../lib/hash.ts";
import { prefixedId } from "../lib/ids.ts";
import { generateWebhookSecret, webhookSecretProblem } from "./signing.ts";

/** A subscription from wfd.yaml `webhooks:`. */
export interface ConfiguredSubscription {
  url: string;
  events: EventType[];
  secret?: string;
}

/** What POST /webhooks asks for (already shape-checked). */
export interface SubscriptionRequest {
  url: string;
  events: EventType[];
  secret?: string;
  description?: string;
}

export interface WebhookSubscriptionsOptions {
  store: EventStore;
  clock?: Clock;
  /** Why a caller-supplied URL may not be called, or null (see lib/outbound-url.ts). */
  urlProblem: (url: string) => Promise<string | null>;
  /** Shown once for a config subscription that got a generated secret. */
  announce?: (line: string) => void;
}

/**
 * Webhook subscriptions from the config and the API. Secrets are returned once, when created,
 * and never listed.
 */
export class WebhookSubscriptions {
  private readonly clock: Clock;

  constructor(private readonly options: WebhookSubscriptionsOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Stores the config's subscriptions under ids derived from their URL and events, so a restart
   * keeps them (and their pending deliveries); one without a secret gets a generated one, shown once.
   */
  async syncConfig(configured: ConfiguredSubscription[]): Promise<void> {
    const known = new Set((await this.options.store.listSubscriptions()).map((s) => s.id));
    const createdAt = isoTime(this.clock.now());
    const subscriptions = configured.map((entry) => {
      const id = `wh_cfg_${sha256Hex(`${entry.url}\n${[...entry.events].sort().join(",")}`).slice(0, 16)}`;
      let secret = entry.secret ?? null;
      if (!secret && !known.has(id)) {
        secret = generateWebhookSecret();
        this.options.announce?.(`webhook ${id} (${entry.url}) signs with the generated secret ${secret}`);
      }
      return {
        id,
        url: entry.url,
        events: entry.events,
        description: null,
        source: "config" as const,
        createdAt,
        secret,
      };
    });
    await this.options.store.syncConfigSubscriptions(subscriptions);
  }

  /** Creates a subscription; the answer holds the secret, the only time it is shown. */
  async create(request: SubscriptionRequest): Promise<WebhookSubscription & { secret: string }> {
    const problems: ErrorDetail[] = [];
    const urlProblem = await this.options.urlProblem(request.url);
    if (urlProblem) problems.push({ path: ["url"], message: urlProblem });
    const secretProblem = request.secret === undefined ? null : webhookSecretProblem(request.secret);
    if (secretProblem) problems.push({ path: ["secret"], message: secretProblem });
    if (problems.length) {
      const summary = problems.map((p) => `${p.path.join(".")} ${p.message}`).join("; ");
      throw new WfdError("VALIDATION_ERROR", `Invalid webhook subscription: ${summary}`, problems);
    }
    const subscription = {
      id: prefixedId("wh"),
      url: request.url,
      events: [...new Set(request.events)],
      description: request.description ?? null,
      source: "api" as const,
      createdAt: isoTime(this.clock.now()),
      secret: request.secret ?? generateWebhookSecret(),
    };
    await this.options.store.createSubscription(subscription);
    return subscription;
  }

  list(): Promise<WebhookSubscription[]> {
    return this.options.store.listSubscriptions();
  }

  /** The subscription, or NOT_FOUND. */
  async get(id: string): Promise<WebhookSubscription> {
    const subscription = await this.options.store.getSubscription(id);
    if (!subscription) throw new WfdError("NOT_FOUND", `Webhook subscription "${id}" not found`);
    return subscription;
  }

  /** Deletes an API subscription with its deliveries; those from wfd.yaml are INVALID_STATUS. */
  async delete(id: string): Promise<void> {
    const subscription = await this.get(id);
    if (subscription.source === "config") {
      throw new WfdError(
        "INVALID_STATUS",
        `Webhook subscription "${id}" comes from wfd.yaml; remove it there and restart`,
      );
    }
    await this.options.store.deleteSubscription(id);
  }

  /** The subscription's deliveries with their attempts, newest first. */
  async deliveries(
    id: string,
    limit: number,
    cursor?: string,
  ): Promise<{ deliveries: Delivery[]; nextCursor: string | null }> {
    await this.get(id);
    return this.options.store.listDeliveries(id, limit, cursor);
  }
}
