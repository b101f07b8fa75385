/**
 * Cron arithmetic for schedule triggers, on croner.
 *
 * ## Time zones and daylight saving time (README-ready)
 *
 * A schedule's times are read in its `timezone` (an IANA name, default `UTC`); wfd lets croner
 * compute them and follows its rules for the two yearly clock changes:
 *
 * - **A local time that does not exist** (spring forward; in Europe/Amsterdam 02:00-02:59 is
 *   skipped on 2026-03-29). A *fixed-time* schedule - a single second, minute and hour value, such
 *   as `30 2 * * *` - runs at the first valid time after the gap: 03:00 CEST (01:00 UTC), once.
 *   An *interval* schedule - any `*`, step, list or range in those fields, such as `30 * * * *`
 *   or `0,30 2 * * *` - skips the times that do not exist.
 * - **A local time that happens twice** (fall back; 02:00-02:59 happens twice on 2026-10-25). A
 *   fixed-time schedule runs once, at the first occurrence: `30 2 * * *` fires at 02:30 CEST
 *   (00:30 UTC) only. An interval schedule runs at both: `30 * * * *` fires at 00:30 and 01:30 UTC.
 *
 * UTC has no clock changes: use `timezone: UTC` (the default) for jobs that must run at a steady
 * interval, and a local zone for jobs that follow office hours. Each firing is claimed under its
 * UTC instant, so neither rule can make a slot fire twice.
 */
import { Cron } from "croner";

/** What cron arithmetic needs from a schedule. */
export interface CronSpec {
  cron: string;
  timezone: string;
}

/** Parsed patterns, kept as long as their spec object lives (a spec is parsed once, not per tick). */
const parsed = new WeakMap<CronSpec, Cron>();

function cronOf(spec: CronSpec): Cron {
  let cron = parsed.get(spec);
  if (!cron) {
    // No callback: croner only computes times and never starts a timer of its own.
    cron = new Cron(spec.cron, { timezone: spec.timezone, paused: true });
    parsed.set(spec, cron);
  }
  return cron;
}

/** The first slot strictly after `after` (epoch ms), or null when the pattern never fires again. */
export function nextSlotAfter(spec: CronSpec, after: number): number | null {
  return cronOf(spec).nextRun(new Date(after))?.getTime() ?? null;
}

/** The newest slot at or before `at` (epoch ms), or null when there is none. */
export function newestSlotAtOrBefore(spec: CronSpec, at: number): number | null {
  // croner's previousRuns is strictly before its reference (at whole-second precision), hence +1 ms.
  const [previous] = cronOf(spec).previousRuns(1, new Date(at + 1));
  return previous ? previous.getTime() : null;
}

/** Every slot in (after, until], oldest first, at most `limit` of them. */
export function slotsBetween(spec: CronSpec, after: number, until: number, limit: number): number[] {
  const slots: number[] = [];
  for (let next = nextSlotAfter(spec, after); next !== null && next <= until; ) {
    slots.push(next);
    if (slots.length >= limit) break;
    next = nextSlotAfter(spec, next);
  }
  return slots;
}
