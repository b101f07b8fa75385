import type { EventStore } from "../core/events.ts";
import { isoTime } from "../core/run.ts";
import type { RunStore } from "../core/store.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { type Logger, silentLogger } from "../lib/logger.ts";
import { repeatEvery } from "../lib/loop.ts";

export interface MaintenanceOptions {
  store: RunStore;
  /** Old delivered or given-up webhook events are pruned with the runs. */
  events?: Pick<EventStore, "pruneEvents">;
  /** Finished runs older than this are deleted. */
  retentionMs: number;
  clock?: Clock;
  logger?: Logger;
  /** How often to prune (default 1 h). */
  pruneEveryMs?: number;
  /** When the first prune comes after start (default 1 min, so a daemon restarted often still prunes). */
  firstPruneAfterMs?: number;
  /** How often to checkpoint the WAL (default 5 min). */
  checkpointEveryMs?: number;
}

/** Background upkeep of the store: retention pruning, expired idempotency keys, WAL checkpoints. */
export class Maintenance {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private controller = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(private readonly options: MaintenanceOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    const onError = (error: unknown) =>
      this.logger.error("maintenance failed", { error: (error as Error).message });
    this.loops = [
      repeatEvery(
        this.clock,
        this.options.pruneEveryMs ?? 3_600_000,
        this.controller.signal,
        () => this.prune(),
        onError,
        this.options.firstPruneAfterMs ?? 60_000,
      ),
      repeatEvery(
        this.clock,
        this.options.checkpointEveryMs ?? 300_000,
        this.controller.signal,
        () => this.options.store.checkpoint(),
        onError,
      ),
    ];
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.all(this.loops);
  }

  /** Deletes finished runs and webhook events past retention and expired idempotency keys now. */
  async prune(): Promise<void> {
    const now = this.clock.now();
    const runs = await this.options.store.pruneRuns(isoTime(now - this.options.retentionMs));
    const keys = await this.options.store.pruneIdempotency(isoTime(now));
    const events = (await this.options.events?.pruneEvents(isoTime(now - this.options.retentionMs))) ?? 0;
    if (runs || keys || events) this.logger.info("pruned old data", { runs, idempotencyKeys: keys, events });
  }
}
