/**
 * Cron triggers (DESIGN §1.4, §3): a pure planner (definitions + time -> due slots) and the
 * Scheduler loop that fires them through the run service, each slot claimed exactly once.
 */
export { nextSlotAfter } from "./cron.ts";
export {
  type DueSlot,
  nextRunTimes,
  type Plan,
  type PlanInput,
  planDueSlots,
  type ScheduleSpec,
  type ScheduleState,
  type ScheduleTime,
  scheduleKey,
  schedulesOf,
} from "./planner.ts";
export { Scheduler, type SchedulerOptions } from "./scheduler.ts";
export type {
  ScheduleRegistry,
  ScheduleRunService,
  SchedulerEvents,
  ScheduleStore,
  SlotEvent,
  SlotOutcome,
} from "./types.ts";
