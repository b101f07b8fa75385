import type { ScheduleTrigger, Workflow } from "../core/workflow.ts";
import { newestSlotAtOrBefore, nextSlotAfter, slotsBetween } from "./cron.ts";

/** One schedule trigger of an active workflow, as the scheduler plans it. */
export interface ScheduleSpec {
  workflowId: string;
  /** Index of the trigger in the workflow's `trigger` list: part of the slot's unique key. */
  triggerIndex: number;
  cron: string;
  timezone: string;
  overlap: ScheduleTrigger["overlap"];
  catchUp: ScheduleTrigger["catchUp"];
  /** The trigger's `input`, not yet rendered. */
  input: unknown;
}

/** A schedule and the time up to which its slots were already handled. */
export interface ScheduleState {
  spec: ScheduleSpec;
  /** Slots at or before this time (epoch ms) are done: fired, skipped or given up. */
  lastChecked: number;
}

export interface PlanInput {
  schedules: readonly ScheduleState[];
  now: number;
  /**
   * How late a slot may fire and still count as on time. Older slots count as missed (downtime, a
   * suspended machine, a clock jump): `catchUp: latest` fires the newest of them, `none` none.
   */
  graceMs: number;
}

export interface DueSlot {
  spec: ScheduleSpec;
  /** The slot time (epoch ms). */
  scheduledFor: number;
  /** True for a missed slot fired by `catchUp: latest`. */
  catchUp: boolean;
}

/** Slots a schedule missed and did not fire (for logs). */
export interface MissedSlots {
  spec: ScheduleSpec;
  /** The newest missed slot (epoch ms). */
  newest: number;
}

export interface Plan {
  /** Slots to fire now, oldest first. */
  due: DueSlot[];
  missed: MissedSlots[];
}

/** On-time slots of one schedule in one plan; bounds the work after a huge grace or a per-second cron. */
const MAX_SLOTS_PER_PLAN = 1000;

/** Key of a schedule trigger: `<workflowId>#<triggerIndex>`. */
export function scheduleKey(spec: Pick<ScheduleSpec, "workflowId" | "triggerIndex">): string {
  return `${spec.workflowId}#${spec.triggerIndex}`;
}

/** The schedule triggers of the given workflows; only active workflows have any. */
export function schedulesOf(workflows: readonly Workflow[]): ScheduleSpec[] {
  return workflows.flatMap((workflow) => (workflow.status === "active" ? specsOfWorkflow(workflow) : []));
}

function specsOfWorkflow(workflow: Workflow): ScheduleSpec[] {
  return workflow.triggers.flatMap((trigger, triggerIndex) =>
    trigger.type === "schedule"
      ? [
          {
            workflowId: workflow.id,
            triggerIndex,
            cron: trigger.cron,
            timezone: trigger.timezone,
            overlap: trigger.overlap,
            catchUp: trigger.catchUp,
            input: trigger.input ?? {},
          },
        ]
      : [],
  );
}

/**
 * The pure planner: which slots are due at `now`, given each schedule's `lastChecked`. Slots in
 * (lastChecked, now] no older than `graceMs` are all due; of older (missed) ones, `catchUp: latest`
 * fires only the newest and only when no on-time slot is due, `catchUp: none` fires none. A
 * `lastChecked` after `now` (the clock went back) counts as `now`: the slot claims, not this
 * planner, keep slots that already fired from firing again.
 */
export function planDueSlots(input: PlanInput): Plan {
  const plan: Plan = { due: [], missed: [] };
  for (const { spec, lastChecked } of input.schedules) {
    const since = Math.min(lastChecked, input.now);
    const onTimeAfter = Math.max(since, input.now - input.graceMs);
    const onTime = slotsBetween(spec, onTimeAfter, input.now, MAX_SLOTS_PER_PLAN);
    const missed = since < onTimeAfter ? newestSlotAtOrBefore(spec, onTimeAfter) : null;
    for (const scheduledFor of onTime) plan.due.push({ spec, scheduledFor, catchUp: false });
    if (missed === null || missed <= since) continue;
    if (spec.catchUp === "latest" && onTime.length === 0) {
      plan.due.push({ spec, scheduledFor: missed, catchUp: true });
    } else {
      plan.missed.push({ spec, newest: missed });
    }
  }
  plan.due.sort((a, b) => a.scheduledFor - b.scheduledFor);
  return plan;
}

/** Due slots grouped per schedule, each group oldest first. */
export function groupBySchedule(slots: readonly DueSlot[]): DueSlot[][] {
  const groups = new Map<string, DueSlot[]>();
  for (const slot of slots) {
    const key = scheduleKey(slot.spec);
    const group = groups.get(key);
    if (group) group.push(slot);
    else groups.set(key, [slot]);
  }
  return [...groups.values()];
}

/** When each schedule of a workflow fires next (for the API and `wfd schedules`). */
export interface ScheduleTime {
  triggerIndex: number;
  cron: string;
  timezone: string;
  /** ISO time of the next slot after `now`; null when the workflow is not active or the cron never fires. */
  nextRunAt: string | null;
}

/** The next fire time of each schedule trigger of `workflow`, in trigger order. */
export function nextRunTimes(workflow: Workflow, now: number): ScheduleTime[] {
  return workflow.triggers.flatMap((trigger, triggerIndex) => {
    if (trigger.type !== "schedule") return [];
    const next = workflow.status === "active" ? nextSlotAfter(trigger, now) : null;
    const nextRunAt = next === null ? null : new Date(next).toISOString();
    return [{ triggerIndex, cron: trigger.cron, timezone: trigger.timezone, nextRunAt }];
  });
}
