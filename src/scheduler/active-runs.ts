import { FINISHED_RUN_STATUSES, type Run } from "../core/run.ts";
import { scheduleKey } from "./planner.ts";

/** The fields of a run the tracker reads. */
export type TrackedRun = Pick<Run, "id" | "workflowId" | "trigger" | "status">;

/**
 * Pending and running runs started by each schedule trigger, for the overlap policies. Fed by the
 * run service's events (and, at start, by the store), so it sees runs of this process only: with
 * SQLite a data directory belongs to one daemon, so that is every run.
 */
export class ActiveScheduledRuns {
  private readonly byKey = new Map<string, Set<string>>();

  /** Records a run that is pending or running; runs of other triggers and finished runs are ignored. */
  add(run: TrackedRun): void {
    const key = keyOf(run);
    if (key === null || FINISHED_RUN_STATUSES.includes(run.status)) return;
    let ids = this.byKey.get(key);
    if (!ids) {
      ids = new Set();
      this.byKey.set(key, ids);
    }
    ids.add(run.id);
  }

  /** Forgets a run that finished; returns the key of its schedule, or null when it had none. */
  remove(run: TrackedRun): string | null {
    const key = keyOf(run);
    if (key === null) return null;
    const ids = this.byKey.get(key);
    ids?.delete(run.id);
    if (ids?.size === 0) this.byKey.delete(key);
    return key;
  }

  /** How many runs of the schedule `key` are pending or running. */
  count(key: string): number {
    return this.byKey.get(key)?.size ?? 0;
  }
}

function keyOf(run: TrackedRun): string | null {
  const { trigger } = run;
  if (trigger.type !== "schedule" || typeof trigger.trigger !== "number") return null;
  return scheduleKey({ workflowId: run.workflowId, triggerIndex: trigger.trigger });
}
