import type { CreateRunRequest, CreateRunResponse, RunEvents } from "../core/runs.ts";
import type { RunStore } from "../core/store.ts";
import type { Workflow } from "../core/workflow.ts";
import type { CompiledValue } from "../template/index.ts";
import type { ScheduleState } from "./planner.ts";

/** The subscribing half of a TypedEmitter. */
export interface EventSource<Events> {
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void;
}

/** What the scheduler needs from the workflow registry: the current workflows, and word of changes. */
export interface ScheduleRegistry {
  list(): readonly { version: { definition: Workflow } }[];
  events: EventSource<{ "workflow:updated": unknown; "workflow:removed": unknown }>;
}

/** What the scheduler needs from the run service. */
export interface ScheduleRunService {
  create(request: CreateRunRequest): Promise<CreateRunResponse>;
  events: EventSource<Pick<RunEvents, "run:created" | "run:finished">>;
}

/** What the scheduler reads from the store: the last claimed slot (catch-up) and unfinished runs (overlap). */
export type ScheduleStore = Pick<RunStore, "lastScheduledSlot" | "listRunsByStatus">;

/** What became of one slot. */
export type SlotOutcome =
  /** A run was created for it. */
  | "fired"
  /** Another scheduler (a previous process, a second process) already claimed it. */
  | "taken"
  /** Not fired: a run of the same trigger is pending or running (overlap: skip, or queue with one waiting). */
  | "skipped"
  /** Waits for the running run of its trigger to finish (overlap: queue). */
  | "queued"
  /** Too late to fire (downtime, clock jump) and catchUp is none, or a newer slot fired instead. */
  | "missed"
  /** Its input could not be rendered or the run service refused the run; see `message`. */
  | "failed";

export interface SlotEvent {
  workflowId: string;
  triggerIndex: number;
  /** ISO time of the slot. */
  scheduledFor: string;
  outcome: SlotOutcome;
  runId?: string;
  /** True for a missed slot fired by `catchUp: latest`. */
  catchUp?: boolean;
  message?: string;
}

export type SchedulerEvents = {
  slot: SlotEvent;
  /** A tick finished; the scheduler now sleeps until `nextWakeAt` (epoch ms) unless woken sooner. */
  tick: { now: number; nextWakeAt: number };
};

/** One schedule the scheduler runs, with its state. */
export interface ScheduleEntry extends ScheduleState {
  /** The trigger's input, parsed once. */
  input: CompiledValue;
  /** The first slot after `lastChecked`; null when the cron never fires again, undefined when unknown. */
  nextAt: number | null | undefined;
  /** A slot held back by `overlap: queue` until the trigger's run finishes. */
  waiting: number | null;
}
