import {
  type AttemptResult,
  type Delivery,
  type DeliveryStatus,
  type DueDelivery,
  type EventStore,
  type EventType,
  finishedRunEvents,
  finishedRunEventTypes,
  type NewSubscription,
  type WebhookSubscription,
} from "../core/events.ts";
import type { RunStatus } from "../core/run.ts";
import { prefixedId } from "../lib/ids.ts";
import { decodeCursor, encodeCursor } from "./codec.ts";
import type { AttemptRow, DeliveryRow, EventStatements, SubscriptionRow } from "./event-statements.ts";
import { loadRun } from "./operations.ts";
import { requireCount } from "./params.ts";
import type { Statements } from "./statements.ts";
import { isoParam } from "./timestamps.ts";

/** How the event store reaches the shared connection: writes through the commit queue, reads directly. */
export interface StoreAccess {
  write<T>(operation: () => T): Promise<T>;
  read(): { runs: Statements; events: EventStatements };
}

/** The EventStore on the run store's SQLite connection (DESIGN §8). Built by SqliteStore. */
export class SqliteEventStore implements EventStore {
  /** Subscribers by event type; dropped by every subscription write, re-read when needed. */
  private subscribers: Map<string, { id: string; url: string }[]> | null = null;

  constructor(private readonly access: StoreAccess) {}

  /**
   * Writes the outbox rows of a run that just finished, inside its finishing transaction: one
   * event per type that has a receiver (a subscription, or the run's own webhookUrl), and one
   * pending delivery per receiver. Nothing is written, and the run is not even loaded, when
   * nobody listens.
   */
  writeRunOutbox(runId: string, status: RunStatus, webhookUrl: string | null): void {
    if (!webhookUrl && !this.hasSubscribers(status)) return;
    const { runs, events } = this.access.read();
    const receivers = finishedRunEventTypes(status).map((type) => this.subscribersOf(type));
    const run = loadRun(runs, runId);
    if (!run) return;
    finishedRunEvents(run, () => prefixedId("evt")).forEach((event, index) => {
      const subscribed = receivers[index] ?? [];
      if (!event.url && subscribed.length === 0) return;
      events.insertEvent.run({
        id: event.id,
        type: event.type,
        created_at: event.createdAt,
        payload: event.payload,
      });
      const delivery = { event_id: event.id, created_at: event.createdAt };
      for (const { id, url } of subscribed) {
        events.insertDelivery.run({ ...delivery, id: prefixedId("dlv"), subscription_id: id, url });
      }
      if (event.url) {
        events.insertDelivery.run({
          ...delivery,
          id: prefixedId("dlv"),
          subscription_id: null,
          url: event.url,
        });
      }
    });
  }

  async hasSubscribersFor(status: RunStatus): Promise<boolean> {
    return this.hasSubscribers(status);
  }

  private hasSubscribers(status: RunStatus): boolean {
    for (const type of finishedRunEventTypes(status)) if (this.subscribersOf(type).length > 0) return true;
    return false;
  }

  private subscribersOf(type: string): { id: string; url: string }[] {
    this.subscribers ??= new Map();
    let list = this.subscribers.get(type);
    if (!list) {
      list = this.access.read().events.subscribersOf.all({ type });
      this.subscribers.set(type, list);
    }
    return list;
  }

  /** Runs a subscription write; the cached subscribers are dropped inside it, so even its batch sees the change. */
  private writeSubscriptions<T>(operation: () => T): Promise<T> {
    return this.access.write(() => {
      this.subscribers = null;
      return operation();
    });
  }

  async syncConfigSubscriptions(
    subscriptions: (Omit<NewSubscription, "secret"> & { secret: string | null })[],
  ): Promise<void> {
    const rows = subscriptions.map(({ source: _source, ...subscription }) => ({
      ...subscriptionRow({ ...subscription, source: "config", secret: "" }),
      secret: subscription.secret,
    }));
    const keep = JSON.stringify(rows.map((row) => row.id));
    await this.writeSubscriptions(() => {
      const { events } = this.access.read();
      events.deleteConfigSubscriptionsExcept.run({ keep });
      for (const { source: _source, secret, created_at, ...row } of rows) {
        if (secret === null) events.updateConfigSubscription.run(row);
        else events.upsertConfigSubscription.run({ ...row, secret, created_at });
      }
      events.deleteOrphanEvents.run();
    });
  }

  async createSubscription(subscription: NewSubscription): Promise<void> {
    const row = subscriptionRow(subscription);
    await this.writeSubscriptions(() => this.access.read().events.insertSubscription.run(row));
  }

  async listSubscriptions(): Promise<WebhookSubscription[]> {
    return this.access.read().events.listSubscriptions.all().map(subscriptionFromRow);
  }

  async getSubscription(id: string): Promise<WebhookSubscription | null> {
    const row = this.access.read().events.getSubscription.get({ id });
    return row ? subscriptionFromRow(row) : null;
  }

  async deleteSubscription(id: string): Promise<boolean> {
    return this.writeSubscriptions(() => {
      const { events } = this.access.read();
      const deleted = events.deleteSubscription.run({ id }).changes > 0;
      if (deleted) events.deleteOrphanEvents.run();
      return deleted;
    });
  }

  async listDeliveries(
    subscriptionId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ deliveries: Delivery[]; nextCursor: string | null }> {
    const { events } = this.access.read();
    const max = requireCount(limit, "listDeliveries: limit", 1);
    const before = cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(cursor);
    const rows = events.deliveriesOf.all({ subscription_id: subscriptionId, before, limit: max + 1 });
    const page = rows.slice(0, max);
    const attempts = groupAttempts(events.attemptsOf.all({ ids: JSON.stringify(page.map((row) => row.id)) }));
    const last = page.at(-1);
    return {
      deliveries: page.map((row) => deliveryFromRow(row, attempts.get(row.id) ?? [])),
      nextCursor: rows.length > max && last ? encodeCursor(last.seq) : null,
    };
  }

  async dueDeliveries(now: string, limit: number, exclude: string[]): Promise<DueDelivery[]> {
    const rows = this.access.read().events.dueDeliveries.all({
      now: isoParam(now, "dueDeliveries: now"),
      limit: requireCount(limit, "dueDeliveries: limit", 1),
      exclude: JSON.stringify(exclude),
    });
    return rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      url: row.url,
      payload: row.payload,
      secret: row.secret,
      trusted: row.trusted === 1,
      createdAt: row.created_at,
      attempts: row.attempts,
    }));
  }

  async nextDueAt(exclude: string[]): Promise<string | null> {
    return this.access.read().events.nextDue.get({ exclude: JSON.stringify(exclude) })?.next ?? null;
  }

  async recordAttempt(deliveryId: string, result: AttemptResult): Promise<void> {
    const { attempt } = result;
    const attemptedAt = isoParam(attempt.attemptedAt, "recordAttempt: attemptedAt");
    const update = {
      id: deliveryId,
      status: result.status,
      next_attempt_at: result.status === "pending" ? result.nextAttemptAt : null,
      completed_at: result.status === "pending" ? null : attemptedAt,
    };
    await this.access.write(() => {
      const { events } = this.access.read();
      const updated = events.updateDelivery.get(update);
      // A delivery deleted with its subscription meanwhile has nothing left to record.
      if (!updated) return;
      events.insertAttempt.run({
        delivery_id: deliveryId,
        attempt: updated.attempts,
        attempted_at: attemptedAt,
        status_code: attempt.statusCode,
        error: attempt.error,
        duration_ms: Math.round(attempt.durationMs),
      });
    });
  }

  /** Deletes events created before `before` whose deliveries are all finished. */
  async pruneEvents(before: string): Promise<number> {
    const cutoff = isoParam(before, "pruneEvents: before");
    return this.access.write(() => this.access.read().events.pruneEvents.run({ before: cutoff }).changes);
  }
}

function subscriptionRow(subscription: NewSubscription): SubscriptionRow {
  return {
    id: subscription.id,
    url: subscription.url,
    events: JSON.stringify(subscription.events),
    secret: subscription.secret,
    description: subscription.description,
    source: subscription.source,
    created_at: isoParam(subscription.createdAt, "subscription: createdAt"),
  };
}

function subscriptionFromRow(row: Omit<SubscriptionRow, "secret">): WebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as EventType[],
    description: row.description,
    source: row.source,
    createdAt: row.created_at,
  };
}

function groupAttempts(rows: AttemptRow[]): Map<string, Delivery["attempts"]> {
  const byDelivery = new Map<string, Delivery["attempts"]>();
  for (const row of rows) {
    const list = byDelivery.get(row.delivery_id) ?? [];
    list.push({
      attemptedAt: row.attempted_at,
      statusCode: row.status_code,
      error: row.error,
      durationMs: row.duration_ms,
    });
    byDelivery.set(row.delivery_id, list);
  }
  return byDelivery;
}

function deliveryFromRow(row: DeliveryRow, attempts: Delivery["attempts"]): Delivery {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type as EventType,
    subscriptionId: row.subscription_id,
    url: row.url,
    status: row.status as DeliveryStatus,
    attempts,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    completedAt: row.completed_at,
  };
}
