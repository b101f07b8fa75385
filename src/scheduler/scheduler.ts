import { type Clock, systemClock } from "../lib/clock.ts";
import { TypedEmitter } from "../lib/emitter.ts";
import { type Logger, silentLogger } from "../lib/logger.ts";
import { ActiveScheduledRuns } from "./active-runs.ts";
import { nextSlotAfter } from "./cron.ts";
import { entryFor } from "./entries.ts";
import { type FireContext, fireSlot } from "./fire.ts";
import {
  type DueSlot,
  groupBySchedule,
  planDueSlots,
  type ScheduleSpec,
  scheduleKey,
  schedulesOf,
} from "./planner.ts";
import type {
  ScheduleEntry,
  ScheduleRegistry,
  ScheduleRunService,
  SchedulerEvents,
  ScheduleStore,
  SlotEvent,
} from "./types.ts";

export interface SchedulerOptions {
  registry: ScheduleRegistry;
  runs: ScheduleRunService;
  store: ScheduleStore;
  clock?: Clock;
  logger?: Logger;
  /** `secrets` and `env` of the templates in a schedule's `input`. */
  secrets?: Record<string, string>;
  env?: Record<string, string>;
  /** Longest sleep between ticks, so clock jumps are noticed (default 60 s). */
  maxSleepMs?: number;
  /** How late a slot may still fire; older slots are missed and follow `catchUp` (default 60 s). */
  graceMs?: number;
}

const DEFAULT_MAX_SLEEP_MS = 60_000;
const DEFAULT_GRACE_MS = 60_000;
const RETRY_MS = 1_000;

/**
 * Fires the schedule triggers of active workflows (DESIGN §1.4, §3). A loop reads the clock once
 * per tick, fires what the planner says is due, and sleeps until the next slot (at most
 * `maxSleepMs`); a reload of the workflows, or the end of a run a queued slot waits for, wakes it.
 *
 * Policies, where DESIGN leaves room:
 * - every slot claims its unique key with its run, so restarts, reloads, clock jumps and a second
 *   scheduler on the same database never fire a slot twice;
 * - `overlap: skip` drops a slot while a run of the same trigger is pending or running; `queue`
 *   holds at most one slot back and fires it (with its own `scheduledFor`) once that run finishes,
 *   whatever the workflow's `concurrency`, dropping further slots meanwhile; a held slot is not
 *   durable: after a restart `catchUp` decides;
 * - a slot fires while it is at most `graceMs` late; older slots are missed, and `catchUp: latest`
 *   fires the newest of them (at start: the newest slot after the last claimed one, if any was ever
 *   claimed), `none` fires none;
 * - a changed cron or time zone takes effect at once and counts from the reload; a slot whose input
 *   fails to render or whose run is refused (inputSchema, shutdown) is reported and not retried.
 */
export class Scheduler {
  readonly events = new TypedEmitter<SchedulerEvents>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxSleepMs: number;
  private readonly graceMs: number;
  private readonly active = new ActiveScheduledRuns();
  private readonly fireContext: FireContext;
  private entries = new Map<string, ScheduleEntry>();
  private unsubscribe: Array<() => void> = [];
  private loopDone: Promise<void> | null = null;
  private stopped = false;
  private reloadNeeded = true;
  private wakeRequested = false;
  private wakeController: AbortController | null = null;
  private lastTick: number | null = null;
  private wakeAt: number | null = null;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.maxSleepMs = options.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS;
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.fireContext = {
      runs: options.runs,
      active: this.active,
      secrets: options.secrets ?? {},
      env: options.env ?? {},
      report: (event) => this.report(event),
    };
  }

  /** When the loop wakes next (epoch ms); null before start. */
  get nextWakeAt(): number | null {
    return this.wakeAt;
  }

  /**
   * Learns which runs of schedules are unfinished, fires what `catchUp: latest` owes since the last
   * claimed slot, and starts the loop. Call after the registry has loaded and the run service started.
   */
  async start(): Promise<void> {
    if (this.loopDone) throw new Error("the scheduler is already started");
    this.subscribe();
    try {
      const unfinished = await this.options.store.listRunsByStatus(["pending", "running"]);
      for (const run of unfinished) this.active.add(run);
      const now = this.clock.now();
      await this.reload(now, true);
      // At start every slot after the last claimed one is missed: graceMs 0 makes catch-up fire one.
      await this.tick(now, 0);
    } catch (error) {
      for (const off of this.unsubscribe.splice(0)) off();
      throw error;
    }
    this.loopDone = this.loop();
  }

  /** Stops the loop after the slot being fired, if any; creates nothing afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loopDone;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private subscribe(): void {
    const { registry, runs } = this.options;
    const onChange = () => {
      this.reloadNeeded = true;
      this.wake();
    };
    this.unsubscribe.push(
      registry.events.on("workflow:updated", onChange),
      registry.events.on("workflow:removed", onChange),
      runs.events.on("run:created", (run) => this.active.add(run)),
      runs.events.on("run:finished", (run) => {
        const key = this.active.remove(run);
        const holdsSlot = key !== null && (this.entries.get(key)?.waiting ?? null) !== null;
        if (holdsSlot && this.active.count(key) === 0) this.wake();
      }),
    );
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.sleepUntilWake();
      if (this.stopped) return;
      try {
        await this.tick(this.clock.now(), this.graceMs);
      } catch (error) {
        this.logger.error("scheduler tick failed; retrying in a second", { error: (error as Error).message });
        this.wakeAt = this.clock.now() + Math.min(this.maxSleepMs, RETRY_MS);
      }
    }
  }

  /** One tick: `now` is the only clock reading it uses. */
  private async tick(now: number, graceMs: number): Promise<void> {
    if (this.lastTick !== null && now < this.lastTick) {
      this.logger.warn("the clock went back; schedules continue from the new time", {
        byMs: this.lastTick - now,
      });
      for (const entry of this.entries.values()) entry.nextAt = undefined;
    }
    if (this.reloadNeeded) await this.reload(now, false);
    await this.fireWaiting();
    // An entry whose next slot is still ahead has nothing due: only the others need the planner.
    const schedules = [...this.entries.values()].filter((entry) => mayBeDue(entry, now));
    const plan = planDueSlots({ schedules, now, graceMs });
    for (const { spec, newest } of plan.missed) {
      const message = spec.catchUp === "none" ? MISSED_NONE : MISSED_NEWER;
      this.report({ ...slotOf(spec, newest), outcome: "missed", message });
    }
    // Schedules fire side by side (their claims share group commits); each one's slots in order.
    await Promise.all(groupBySchedule(plan.due).map((slots) => this.fireInOrder(slots)));
    let wakeAt = now + this.maxSleepMs;
    for (const entry of this.entries.values()) {
      this.advance(entry, now);
      if (entry.nextAt != null && entry.nextAt < wakeAt) wakeAt = entry.nextAt;
    }
    this.lastTick = now;
    this.wakeAt = wakeAt;
    this.events.emit("tick", { now, nextWakeAt: wakeAt });
  }

  private async fireInOrder(slots: DueSlot[]): Promise<void> {
    for (const slot of slots) {
      const entry = this.entries.get(scheduleKey(slot.spec));
      if (entry) await fireSlot(this.fireContext, entry, slot.scheduledFor, slot.catchUp);
    }
  }

  /** Fires slots held by `overlap: queue` whose trigger has no unfinished run any more. */
  private async fireWaiting(): Promise<void> {
    for (const [key, entry] of this.entries) {
      if (entry.waiting === null || this.active.count(key) > 0) continue;
      const slot = entry.waiting;
      entry.waiting = null;
      await fireSlot(this.fireContext, entry, slot, false);
    }
  }

  /** Marks an entry's slots up to `now` as handled and finds its next slot. */
  private advance(entry: ScheduleEntry, now: number): void {
    entry.lastChecked = now;
    if (mayBeDue(entry, now)) entry.nextAt = nextSlotAfter(entry.spec, now);
  }

  /**
   * Brings the entries in line with the registry's active workflows. Unchanged schedules keep their
   * state; a new or re-timed one counts from `now`, or at start with `catchUp: latest` from its last
   * claimed slot.
   */
  private async reload(now: number, starting: boolean): Promise<void> {
    this.reloadNeeded = false;
    const specs = schedulesOf(this.options.registry.list().map((entry) => entry.version.definition));
    const next = new Map<string, ScheduleEntry>();
    for (const spec of specs) {
      const key = scheduleKey(spec);
      const context = { now, starting, store: this.options.store, logger: this.logger };
      const entry = await entryFor(spec, this.entries.get(key), context);
      if (entry) next.set(key, entry);
    }
    for (const key of this.entries.keys()) {
      if (!next.has(key)) this.logger.info("schedule removed", { schedule: key });
    }
    this.entries = next;
  }

  private report(event: SlotEvent): void {
    const { outcome, message, ...fields } = event;
    if (outcome === "failed") this.logger.error(`scheduled run not created: ${message}`, fields);
    else if (outcome === "fired") this.logger.info("scheduled run created", fields);
    else if (outcome === "taken") this.logger.debug("slot already claimed", fields);
    else this.logger.info(`slot ${outcome}: ${message}`, fields);
    this.events.emit("slot", event);
  }

  private wake(): void {
    this.wakeRequested = true;
    this.wakeController?.abort();
  }

  private async sleepUntilWake(): Promise<void> {
    const controller = new AbortController();
    this.wakeController = controller;
    if (!this.wakeRequested) {
      // Measured from the time the tick ended, so a slow tick does not make the next one late.
      const ms = Math.max(0, (this.wakeAt ?? 0) - this.clock.now());
      await this.clock.sleep(ms, controller.signal).catch(() => {});
    }
    this.wakeRequested = false;
    this.wakeController = null;
  }
}

const MISSED_NONE = "too late to fire (downtime or a clock jump) and catchUp is none";
const MISSED_NEWER = "too late to fire (downtime or a clock jump); a newer slot fired instead";

/** False when the entry's next slot is known and still ahead of `now`. */
function mayBeDue(entry: ScheduleEntry, now: number): boolean {
  return entry.nextAt === undefined || (entry.nextAt !== null && entry.nextAt <= now);
}

function slotOf(spec: ScheduleSpec, at: number) {
  return {
    workflowId: spec.workflowId,
    triggerIndex: spec.triggerIndex,
    scheduledFor: new Date(at).toISOString(),
  };
}
