import { WfdError } from "../core/errors.ts";
import { isoTime, type RunTrigger } from "../core/run.ts";
import type { ActiveScheduledRuns } from "./active-runs.ts";
import { scheduleKey } from "./planner.ts";
import type { ScheduleEntry, ScheduleRunService, SlotEvent } from "./types.ts";

/** What firing a slot needs. */
export interface FireContext {
  runs: ScheduleRunService;
  active: ActiveScheduledRuns;
  secrets: Record<string, string>;
  env: Record<string, string>;
  report(event: SlotEvent): void;
}

/**
 * Fires one slot of a schedule, honouring its overlap policy: renders the trigger's input and asks
 * the run service for a run that claims the slot in the same transaction (DESIGN §1.4), so a slot
 * taken by another process or before a restart creates nothing. Never throws: every outcome is
 * reported.
 */
export async function fireSlot(
  context: FireContext,
  entry: ScheduleEntry,
  scheduledFor: number,
  catchUp: boolean,
): Promise<void> {
  const { spec } = entry;
  const slot = {
    workflowId: spec.workflowId,
    triggerIndex: spec.triggerIndex,
    scheduledFor: isoTime(scheduledFor),
  };
  const report = (outcome: SlotEvent["outcome"], extra: Partial<SlotEvent> = {}) =>
    context.report({ ...slot, outcome, ...(catchUp ? { catchUp } : {}), ...extra });
  const held = overlapDecision(context, entry, scheduledFor);
  if (held) return report(held, { message: OVERLAP_MESSAGES[held] });

  const trigger: RunTrigger = {
    type: "schedule",
    scheduledFor: slot.scheduledFor,
    trigger: spec.triggerIndex,
  };
  let input: unknown;
  try {
    input = entry.input.render({
      input: {},
      steps: {},
      run: { id: "", workflowId: spec.workflowId, createdAt: slot.scheduledFor, trigger },
      secrets: context.secrets,
      env: context.env,
    });
  } catch (error) {
    return report("failed", { message: `input of trigger[${spec.triggerIndex}]: ${messageOf(error)}` });
  }
  try {
    const { run } = await context.runs.create({
      workflowId: spec.workflowId,
      input,
      trigger,
      slot: { triggerIndex: spec.triggerIndex, scheduledFor: slot.scheduledFor },
    });
    report(run ? "fired" : "taken", run ? { runId: run.id } : {});
  } catch (error) {
    report("failed", { message: messageOf(error) });
  }
}

const OVERLAP_MESSAGES = {
  skipped: "a run of this trigger is still pending or running",
  queued: "waits for the running run of this trigger to finish",
} as const;

/** Null when the slot may fire now; otherwise what the overlap policy does with it. */
function overlapDecision(
  context: FireContext,
  entry: ScheduleEntry,
  scheduledFor: number,
): "skipped" | "queued" | null {
  const { overlap } = entry.spec;
  if (overlap === "allow" || context.active.count(scheduleKey(entry.spec)) === 0) return null;
  if (overlap === "queue" && entry.waiting === null) {
    entry.waiting = scheduledFor;
    return "queued";
  }
  return "skipped";
}

function messageOf(error: unknown): string {
  if (error instanceof WfdError && error.details?.length) {
    const details = error.details.map((d) => `${d.path.join(".") || "input"}: ${d.message}`).join("; ");
    return `${error.message} (${details})`;
  }
  return error instanceof Error ? error.message : String(error);
}
