import type { Run, RunStatus } from "./run.ts";

/** The event types of DESIGN §8. */
export const EVENT_TYPES = [
  "run.completed",
  "run.failed",
  "run.cancelled",
  "workflow.executed",
  "form.submitted",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A webhook subscription as listed: its secret is never part of it. */
export interface WebhookSubscription {
  id: string;
  url: string;
  events: EventType[];
  description: string | null;
  /** `config` subscriptions come from wfd.yaml and are replaced at every start. */
  source: "config" | "api";
  createdAt: string;
}

/** A subscription to store, with the secret that signs its deliveries (`whsec_<base64>`). */
export interface NewSubscription extends WebhookSubscription {
  secret: string;
}

/** An event waiting in the outbox; `payload` is the exact JSON body that is sent. */
export interface OutboxEvent {
  id: string;
  type: EventType;
  createdAt: string;
  payload: string;
  /** Also deliver to this URL (a run's own webhookUrl), signed with the daemon's run secret. */
  url: string | null;
}

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One try to deliver an event. */
export interface DeliveryAttempt {
  attemptedAt: string;
  /** The receiver's HTTP status; null when no answer came (network error, timeout). */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** The delivery of one event to one URL, with every attempt. */
export interface Delivery {
  id: string;
  eventId: string;
  eventType: EventType;
  subscriptionId: string | null;
  url: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  createdAt: string;
  nextAttemptAt: string | null;
  completedAt: string | null;
}

/** Emitted after every attempt, for metrics and tests. */
export type DeliveryEvents = {
  "delivery:attempted": {
    deliveryId: string;
    eventId: string;
    url: string;
    statusCode: number | null;
    error: string | null;
    /** delivered, pending (will retry) or failed (gave up). */
    status: DeliveryStatus;
  };
};

/** A delivery that is due, with what the worker needs to send it. */
export interface DueDelivery {
  id: string;
  eventId: string;
  url: string;
  payload: string;
  /** The subscription's secret; null signs with the daemon's run secret. */
  secret: string | null;
  /** Its URL comes from wfd.yaml (the operator), not from an API caller, so it is not checked. */
  trusted: boolean;
  createdAt: string;
  attempts: number;
}

/** What to record after an attempt: the attempt, and the delivery's new state. */
export interface AttemptResult {
  attempt: DeliveryAttempt;
  status: DeliveryStatus;
  /** When to try again (status pending). */
  nextAttemptAt: string | null;
}

/**
 * Durable subscriptions and the outbox of deliveries. Events are written by the run store in the
 * same transaction as a run's final state (RunStore.finishRun with `notify`).
 */
export interface EventStore {
  /**
   * Makes the stored config subscriptions exactly `subscriptions`: new ones are added, kept ones
   * updated in place (their pending deliveries stay; a null secret keeps the stored one), and
   * removed ones are deleted with their deliveries.
   */
  syncConfigSubscriptions(
    subscriptions: (Omit<NewSubscription, "secret"> & { secret: string | null })[],
  ): Promise<void>;
  createSubscription(subscription: NewSubscription): Promise<void>;
  listSubscriptions(): Promise<WebhookSubscription[]>;
  getSubscription(id: string): Promise<WebhookSubscription | null>;
  /** Deletes a subscription with its deliveries; false when there was none. */
  deleteSubscription(id: string): Promise<boolean>;
  /** Deliveries of a subscription, newest first; the cursor is the last id of the previous page. */
  listDeliveries(
    subscriptionId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ deliveries: Delivery[]; nextCursor: string | null }>;
  /**
   * Whether a subscription receives any event of a run finishing as `status`, that is, whether
   * such a run writes outbox rows besides those for its own webhookUrl. Answered from a cache.
   */
  hasSubscribersFor(status: RunStatus): Promise<boolean>;
  /** Pending deliveries due at `now`, oldest first, leaving out the ids in `exclude`. */
  dueDeliveries(now: string, limit: number, exclude: string[]): Promise<DueDelivery[]>;
  /** When the next pending delivery outside `exclude` is due, or null when none is pending. */
  nextDueAt(exclude: string[]): Promise<string | null>;
  recordAttempt(deliveryId: string, result: AttemptResult): Promise<void>;
  /** Deletes events created before `before` whose deliveries are all finished; returns how many. */
  pruneEvents(before: string): Promise<number>;
}

/** The events of a finished run: `run.<status>` (also sent to the run's webhookUrl) and `workflow.executed`. */
export function finishedRunEvents(run: Run, newEventId: () => string): OutboxEvent[] {
  const createdAt = run.completedAt ?? run.createdAt;
  return finishedRunEventTypes(run.status).map((type, index) => {
    const id = newEventId();
    return {
      id,
      type,
      createdAt,
      payload: JSON.stringify({ id, type, createdAt, data: run }),
      url: index === 0 ? run.webhookUrl : null,
    };
  });
}

// Built once per status: the outbox asks for every run stored finished.
const FINISHED_RUN_EVENT_TYPES = new Map<RunStatus, readonly EventType[]>();

/** The event types a run finishing with `status` produces (see finishedRunEvents). */
export function finishedRunEventTypes(status: RunStatus): readonly EventType[] {
  let types = FINISHED_RUN_EVENT_TYPES.get(status);
  if (!types) {
    types = Object.freeze([`run.${status}` as EventType, "workflow.executed"] as const);
    FINISHED_RUN_EVENT_TYPES.set(status, types);
  }
  return types;
}
