import type { AttemptResult, DeliveryEvents, DueDelivery, EventStore } from "../core/events.ts";
import { isoTime } from "../core/run.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { TypedEmitter } from "../lib/emitter.ts";
import { type Logger, silentLogger } from "../lib/logger.ts";
import { signedHeaders } from "./signing.ts";

export interface DeliveryWorkerOptions {
  store: EventStore;
  /** Signs deliveries without a subscription: a run's own webhookUrl. */
  runSecret: string;
  clock?: Clock;
  logger?: Logger;
  /** Deliveries in flight at once (default 16). */
  concurrency?: number;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** How long after the event a delivery is retried (default 24 h). */
  retryForMs?: number;
  /** First retry delay (default 5 s); it doubles per attempt up to `maxDelayMs` (default 1 h). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
  /** Checked before each attempt to a caller's URL; a problem fails it without sending (private URLs). */
  urlProblem?: (url: string) => Promise<string | null>;
  /** The longest idle sleep between looks at the outbox (default 60 s). */
  maxIdleMs?: number;
}

const USER_AGENT = "wfd-webhooks/1";

/**
 * Sends the outbox's deliveries: signed POSTs with a timeout, retried with exponential backoff and
 * jitter until `retryForMs` after the event, every attempt recorded. Everything it needs lives in
 * the store, so a restart carries on where it stopped (an attempt cut short is sent again, with
 * the same webhook-id, so receivers can deduplicate).
 */
export class DeliveryWorker {
  readonly events = new TypedEmitter<DeliveryEvents>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Aborts the attempts in flight (shutdown past its grace). */
  private readonly stopping = new AbortController();
  private closing = false;
  private wake = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  /** Starts sending what is due, now and as it becomes due. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Tells the worker that new deliveries may be due (a run just finished). */
  notify(): void {
    this.wake.abort();
  }

  /**
   * Stops looking for work, gives attempts in flight `graceMs` to finish (so a receiver is not
   * sent the same event again after the restart), then aborts the rest: they stay pending for
   * the next start.
   */
  async stop(graceMs = 0): Promise<void> {
    this.closing = true;
    this.wake.abort();
    await this.loop;
    const settled = Promise.all(this.inFlight.values());
    if (graceMs > 0 && this.inFlight.size > 0) {
      const graceOver = new AbortController();
      await Promise.race([settled, this.clock.sleep(graceMs, graceOver.signal).catch(() => {})]);
      graceOver.abort();
    }
    this.stopping.abort();
    await settled;
  }

  private async run(): Promise<void> {
    const concurrency = this.options.concurrency ?? 16;
    while (!this.closing) {
      try {
        const free = concurrency - this.inFlight.size;
        // Every slot is busy: a finishing attempt calls notify().
        if (free <= 0) {
          await this.sleepUntilWoken(this.options.maxIdleMs ?? 60_000);
          continue;
        }
        const now = this.clock.now();
        const due = await this.options.store.dueDeliveries(isoTime(now), free, this.busyIds());
        for (const delivery of due) this.launch(delivery);
        if (due.length === free) continue;
        await this.idle(now);
      } catch (error) {
        this.logger.error("webhook delivery loop failed", { error: (error as Error).message });
        await this.idle(this.clock.now());
      }
    }
  }

  /** Sleeps until the next delivery is due, a slot frees up, or notify() is called. */
  private async idle(now: number): Promise<void> {
    const next = await this.options.store.nextDueAt(this.busyIds()).catch(() => null);
    const maxIdle = this.options.maxIdleMs ?? 60_000;
    const wait = next === null ? maxIdle : Math.min(Math.max(0, Date.parse(next) - now), maxIdle);
    await this.sleepUntilWoken(wait);
  }

  private async sleepUntilWoken(ms: number): Promise<void> {
    if (!this.wake.signal.aborted && ms > 0) await this.clock.sleep(ms, this.wake.signal).catch(() => {});
    // The store answers synchronously: yield to I/O so a loop of due work cannot starve responses.
    else await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.wake.signal.aborted) this.wake = new AbortController();
  }

  private busyIds(): string[] {
    return [...this.inFlight.keys()];
  }

  private launch(delivery: DueDelivery): void {
    const attempt = this.attempt(delivery)
      .catch((error) =>
        this.logger.error("webhook delivery failed", {
          deliveryId: delivery.id,
          error: (error as Error).message,
        }),
      )
      .finally(() => {
        this.inFlight.delete(delivery.id);
        this.notify();
      });
    this.inFlight.set(delivery.id, attempt);
  }

  private async attempt(delivery: DueDelivery): Promise<void> {
    const attemptedAt = this.clock.now();
    const started = performance.now();
    const problem = delivery.trusted ? null : await this.options.urlProblem?.(delivery.url);
    // Not sent, but retried like a network error: a name that does not resolve right now may
    // again later, and one that resolves inside the network is just never called.
    const outcome = problem
      ? { statusCode: null, error: `url ${problem}`, retry: true }
      : await this.send(delivery, attemptedAt);
    // Cut short by shutdown: not an attempt the receiver saw through; it is sent again after restart.
    if (this.stopping.signal.aborted && outcome.statusCode === null && !problem) return;
    // The backoff counts from the end: counted from the start, a 10 s timeout would eat the
    // first delays and the receiver would be called again at once.
    const result = this.resultOf(delivery, this.clock.now(), outcome);
    await this.options.store.recordAttempt(delivery.id, {
      ...result,
      attempt: {
        attemptedAt: isoTime(attemptedAt),
        statusCode: outcome.statusCode,
        error: outcome.error,
        durationMs: performance.now() - started,
      },
    });
    if (result.status === "failed") {
      this.logger.warn("webhook delivery gave up", {
        deliveryId: delivery.id,
        url: delivery.url,
        error: outcome.error,
      });
    }
    this.events.emit("delivery:attempted", {
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      url: delivery.url,
      statusCode: outcome.statusCode,
      error: outcome.error,
      status: result.status,
    });
  }

  private async send(
    delivery: DueDelivery,
    now: number,
  ): Promise<{ statusCode: number | null; error: string | null; retry: boolean }> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const controller = new AbortController();
    const stopTimer = new AbortController();
    const onStop = () => controller.abort(new Error("wfd is shutting down"));
    this.stopping.signal.addEventListener("abort", onStop, { once: true });
    this.clock.sleep(timeoutMs, stopTimer.signal).then(
      () => controller.abort(new Error(`no answer within ${timeoutMs} ms`)),
      () => {},
    );
    const secret = delivery.secret ?? this.options.runSecret;
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        body: delivery.payload,
        headers: {
          "content-type": "application/json",
          "user-agent": USER_AGENT,
          ...signedHeaders(secret, delivery.eventId, Math.floor(now / 1000), delivery.payload),
        },
        redirect: "manual",
        signal: controller.signal,
      });
      await response.body?.cancel().catch(() => {});
      const ok = response.status >= 200 && response.status < 300;
      return { statusCode: response.status, error: ok ? null : `answered ${response.status}`, retry: !ok };
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      return { statusCode: null, error: (reason as Error).message ?? String(reason), retry: true };
    } finally {
      stopTimer.abort();
      this.stopping.signal.removeEventListener("abort", onStop);
    }
  }

  private resultOf(
    delivery: DueDelivery,
    endedAt: number,
    outcome: { statusCode: number | null; retry: boolean },
  ): Omit<AttemptResult, "attempt"> {
    if (outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300) {
      return { status: "delivered", nextAttemptAt: null };
    }
    const retryUntil = Date.parse(delivery.createdAt) + (this.options.retryForMs ?? 86_400_000);
    const nextAt = endedAt + this.backoff(delivery.attempts + 1);
    if (!outcome.retry || nextAt > retryUntil) return { status: "failed", nextAttemptAt: null };
    return { status: "pending", nextAttemptAt: isoTime(nextAt) };
  }

  /** Exponential delay after the n-th failed attempt, with jitter in its upper half. */
  private backoff(failedAttempts: number): number {
    const base = this.options.baseDelayMs ?? 5_000;
    const max = this.options.maxDelayMs ?? 3_600_000;
    const delay = Math.min(base * 2 ** (failedAttempts - 1), max);
    return Math.round(delay / 2 + (this.options.random ?? Math.random)() * (delay / 2));
  }
}
