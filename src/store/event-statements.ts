import type { Database } from "bun:sqlite";

/** A webhook_subscriptions row. */
export type SubscriptionRow = {
  id: string;
  url: string;
  events: string;
  secret: string;
  description: string | null;
  source: "config" | "api";
  created_at: string;
};

/** A webhook_deliveries row joined with its event's type. */
export type DeliveryRow = {
  seq: number;
  id: string;
  event_id: string;
  event_type: string;
  subscription_id: string | null;
  url: string;
  status: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  completed_at: string | null;
};

/** A delivery_attempts row. */
export type AttemptRow = {
  delivery_id: string;
  attempt: number;
  attempted_at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
};

type DueRow = {
  id: string;
  event_id: string;
  url: string;
  payload: string;
  secret: string | null;
  trusted: number;
  created_at: string;
  attempts: number;
};

const SUBSCRIPTION_COLUMNS = "id, url, events, description, source, created_at";
const DELIVERY_COLUMNS = `d.seq, d.id, d.event_id, e.type AS event_type, d.subscription_id, d.url, d.status,
  d.attempts, d.created_at, d.next_attempt_at, d.completed_at`;

/** Prepares, once per open database, the statements of subscriptions, events and deliveries. */
export function prepareEventStatements(db: Database) {
  return {
    insertSubscription: db.prepare<never, SubscriptionRow>(
      `INSERT INTO webhook_subscriptions (id, url, events, secret, description, source, created_at)
       VALUES ($id, $url, $events, $secret, $description, $source, $created_at)`,
    ),
    listSubscriptions: db.prepare<Omit<SubscriptionRow, "secret">, []>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY source DESC, created_at, id`,
    ),
    getSubscription: db.prepare<Omit<SubscriptionRow, "secret">, { id: string }>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $id`,
    ),
    deleteSubscription: db.prepare<never, { id: string }>("DELETE FROM webhook_subscriptions WHERE id = $id"),
    upsertConfigSubscription: db.prepare<never, Omit<SubscriptionRow, "source">>(
      `INSERT INTO webhook_subscriptions (id, url, events, secret, description, source, created_at)
       VALUES ($id, $url, $events, $secret, $description, 'config', $created_at)
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, events = excluded.events,
         secret = excluded.secret, description = excluded.description`,
    ),
    // A config subscription without a secret keeps the one generated when it was first stored.
    updateConfigSubscription: db.prepare<never, Omit<SubscriptionRow, "source" | "secret" | "created_at">>(
      `UPDATE webhook_subscriptions SET url = $url, events = $events, description = $description
       WHERE id = $id AND source = 'config'`,
    ),
    deleteConfigSubscriptionsExcept: db.prepare<never, { keep: string }>(
      `DELETE FROM webhook_subscriptions
       WHERE source = 'config' AND id NOT IN (SELECT value FROM json_each($keep))`,
    ),
    // Events nobody receives any more (their subscriptions were deleted) go with them.
    deleteOrphanEvents: db.prepare<never, []>(
      "DELETE FROM events WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = events.id)",
    ),

    subscribersOf: db.prepare<{ id: string; url: string }, { type: string }>(
      `SELECT id, url FROM webhook_subscriptions
       WHERE EXISTS (SELECT 1 FROM json_each(events) WHERE value = $type)`,
    ),
    insertEvent: db.prepare<never, { id: string; type: string; created_at: string; payload: string }>(
      "INSERT INTO events (id, type, created_at, payload) VALUES ($id, $type, $created_at, $payload)",
    ),
    insertDelivery: db.prepare<
      never,
      { id: string; event_id: string; subscription_id: string | null; url: string; created_at: string }
    >(
      `INSERT INTO webhook_deliveries (id, event_id, subscription_id, url, status, created_at, next_attempt_at)
       VALUES ($id, $event_id, $subscription_id, $url, 'pending', $created_at, $created_at)`,
    ),

    dueDeliveries: db.prepare<DueRow, { now: string; limit: number; exclude: string }>(
      `SELECT d.id, d.event_id, d.url, e.payload, s.secret, COALESCE(s.source = 'config', 0) AS trusted,
         d.created_at, d.attempts
       FROM webhook_deliveries d
       JOIN events e ON e.id = d.event_id
       LEFT JOIN webhook_subscriptions s ON s.id = d.subscription_id
       WHERE d.status = 'pending' AND d.next_attempt_at <= $now
         AND d.id NOT IN (SELECT value FROM json_each($exclude))
       ORDER BY d.next_attempt_at, d.seq LIMIT $limit`,
    ),
    nextDue: db.prepare<{ next: string | null }, { exclude: string }>(
      `SELECT MIN(next_attempt_at) AS next FROM webhook_deliveries
       WHERE status = 'pending' AND id NOT IN (SELECT value FROM json_each($exclude))`,
    ),
    insertAttempt: db.prepare<never, AttemptRow>(
      `INSERT INTO delivery_attempts (delivery_id, attempt, attempted_at, status_code, error, duration_ms)
       VALUES ($delivery_id, $attempt, $attempted_at, $status_code, $error, $duration_ms)`,
    ),
    updateDelivery: db.prepare<
      { attempts: number },
      { id: string; status: string; next_attempt_at: string | null; completed_at: string | null }
    >(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, status = $status,
         next_attempt_at = $next_attempt_at, completed_at = $completed_at
       WHERE id = $id AND status = 'pending'
       RETURNING attempts`,
    ),

    deliveriesOf: db.prepare<DeliveryRow, { subscription_id: string; before: number; limit: number }>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.subscription_id = $subscription_id AND d.seq < $before
       ORDER BY d.seq DESC LIMIT $limit`,
    ),
    attemptsOf: db.prepare<AttemptRow, { ids: string }>(
      `SELECT * FROM delivery_attempts WHERE delivery_id IN (SELECT value FROM json_each($ids))
       ORDER BY delivery_id, attempt`,
    ),

    pruneEvents: db.prepare<never, { before: string }>(
      `DELETE FROM events WHERE created_at < $before AND NOT EXISTS (
         SELECT 1 FROM webhook_deliveries d WHERE d.event_id = events.id AND d.status = 'pending')`,
    ),
  };
}

/** The prepared event statements of one open database. */
export type EventStatements = ReturnType<typeof prepareEventStatements>;
