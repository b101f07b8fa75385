import type { Logger } from "../lib/logger.ts";
import { compileValue } from "../template/index.ts";
import { type ScheduleSpec, scheduleKey } from "./planner.ts";
import type { ScheduleEntry, ScheduleStore } from "./types.ts";

export interface EntryContext {
  now: number;
  /** True at the scheduler's start, when `catchUp: latest` looks back to the last claimed slot. */
  starting: boolean;
  store: ScheduleStore;
  logger: Logger;
}

/**
 * The scheduler's entry for `spec` after a (re)load. An unchanged spec keeps its entry; a changed
 * one keeps its held slot, and its `lastChecked` unless the cron or time zone changed: a re-timed
 * or new schedule counts from now (at start with `catchUp: latest`, from its last claimed slot), so
 * an edit never fires a slot of the new cron that lies before the edit. Null when the input does
 * not compile (the validator rejects such files; this guards the daemon all the same).
 */
export async function entryFor(
  spec: ScheduleSpec,
  previous: ScheduleEntry | undefined,
  context: EntryContext,
): Promise<ScheduleEntry | null> {
  if (previous && JSON.stringify(previous.spec) === JSON.stringify(spec)) return previous;
  const schedule = scheduleKey(spec);
  let input: ScheduleEntry["input"];
  try {
    input = compileValue(spec.input);
  } catch (error) {
    const reason = (error as Error).message;
    context.logger.error("schedule not started: its input has a template error", { schedule, error: reason });
    return null;
  }
  const retimed = !previous || previous.spec.cron !== spec.cron || previous.spec.timezone !== spec.timezone;
  const lastChecked = retimed || !previous ? await startingPoint(spec, context) : previous.lastChecked;
  const { cron, timezone } = spec;
  context.logger.info(previous ? "schedule changed" : "schedule added", { schedule, cron, timezone });
  return { spec, lastChecked, input, nextAt: undefined, waiting: previous?.waiting ?? null };
}

async function startingPoint(spec: ScheduleSpec, context: EntryContext): Promise<number> {
  if (!context.starting || spec.catchUp !== "latest") return context.now;
  const last = await context.store.lastScheduledSlot(spec.workflowId, spec.triggerIndex);
  return last === null ? context.now : Date.parse(last);
}
