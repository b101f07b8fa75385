import type { RunExecutor, RunObserver } from "../core/engine.ts";
import type { LogLine, Run, StepRecord } from "../core/run.ts";
import type { RunEvents } from "../core/runs.ts";
import type { CreateRunResult, ExecutedRun, RunCreationClaims, RunStore } from "../core/store.ts";
import type { TypedEmitter } from "../lib/emitter.ts";
import type { PreparedRun } from "./create.ts";

/** Keeps what the engine reports in memory: each step's last record, in first-reported order. */
class RecordingObserver implements RunObserver {
  private readonly records = new Map<string, StepRecord>();
  readonly logs: LogLine[] = [];

  get steps(): StepRecord[] {
    return [...this.records.values()];
  }

  async stepStarted(step: StepRecord): Promise<void> {
    this.records.set(step.id, step);
  }

  async stepFinished(step: StepRecord): Promise<void> {
    this.records.set(step.id, step);
  }

  log(line: LogLine): void {
    this.logs.push(line);
  }
}

/**
 * Executes a run of pure steps (RunExecutor.isPure) before it is stored, so the run is created
 * finished in one write instead of created, claimed, checkpointed step by step and finished.
 *
 * Why this keeps DESIGN §1: nothing is acknowledged before that one write commits, so a crash
 * before it loses nothing that was accepted; and no pure step acts outside its run, so executing
 * the run again (another request, a retry by the client) cannot do anything twice.
 */
async function executeBeforeStoring(
  executor: RunExecutor,
  prepared: PreparedRun,
  notify: boolean,
): Promise<ExecutedRun> {
  const { row, version } = prepared;
  const recorder = new RecordingObserver();
  const outcome = await executor.execute({
    runId: row.id,
    workflow: version.definition,
    versionId: version.versionId,
    input: row.input,
    trigger: row.trigger,
    createdAt: row.createdAt,
    connectionId: row.connectionId,
    observer: recorder,
  });
  return {
    startedAt: outcome.startedAt,
    steps: recorder.steps,
    logs: recorder.logs,
    finish: {
      status: outcome.status,
      output: outcome.output ?? null,
      error: outcome.error,
      completedAt: outcome.completedAt,
    },
    notify,
  };
}

/** Executes a run of pure steps, then creates it finished with its claims; see executeBeforeStoring. */
export async function createExecutedRun(
  parts: { executor: RunExecutor; store: RunStore },
  prepared: PreparedRun,
  claims: RunCreationClaims,
  notify: boolean,
): Promise<CreateRunResult> {
  const executed = await executeBeforeStoring(parts.executor, prepared, notify);
  return parts.store.createRun(prepared.row, { ...claims, executed });
}

/**
 * The events of a run stored finished at its creation, up to (not including) run:finished. Its
 * step records are final, so they come as step:finished only.
 */
export function announceExecutedRun(events: TypedEmitter<RunEvents>, run: Run): void {
  events.emit("run:created", run);
  events.emit("run:started", { runId: run.id, workflowId: run.workflowId });
  for (const step of run.steps) events.emit("step:finished", { runId: run.id, step });
}
