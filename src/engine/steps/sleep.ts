import type { StepContext, StepExecutor } from "../../core/engine.ts";
import { parseDuration } from "../../lib/duration.ts";
import { describe, invalidConfig } from "./config.ts";

/**
 * `sleep`: waits for `duration` or `until`. The wait counts from when the step first started, so
 * a run resumed after a restart sleeps only the time that is left.
 */
export const sleepExecutor: StepExecutor = {
  type: "sleep",
  async execute(context) {
    const wakeAt = wakeTime(context);
    const { clock } = context.services;
    const remaining = wakeAt - clock.now();
    if (remaining > 0) await clock.sleep(remaining, context.signal);
    return { sleptMs: Math.max(0, clock.now() - context.firstStartedAt) };
  },
};

function wakeTime({ config, firstStartedAt }: StepContext): number {
  const { duration, until } = config;
  const hasDuration = duration !== undefined && duration !== null;
  const hasUntil = until !== undefined && until !== null;
  if (hasDuration === hasUntil)
    throw invalidConfig("sleep needs exactly one of config.duration and config.until");
  if (hasDuration) {
    const ms = typeof duration === "string" || typeof duration === "number" ? parseDuration(duration) : null;
    if (ms === null) {
      throw invalidConfig(
        `config.duration must be a duration such as "30s" or "5m", got ${describe(duration)}`,
      );
    }
    return firstStartedAt + ms;
  }
  const time = typeof until === "string" ? Date.parse(until) : Number.NaN;
  if (Number.isNaN(time)) {
    throw invalidConfig(
      `config.until must be an ISO 8601 time such as "2026-01-15T10:00:00Z", got ${describe(until)}`,
    );
  }
  return time;
}
