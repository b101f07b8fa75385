import type { RunExecutor } from "../core/engine.ts";
import type { Run, RunError, StepRecord } from "../core/run.ts";
import type { RunFinish, StoredVersion } from "../core/store.ts";
import type { CheckpointObserver } from "./checkpoint.ts";

/** A run this process has claimed, with what its execution needs. */
export interface ClaimedRun {
  run: Run;
  version: StoredVersion;
  /** The run's first start (kept across restarts). */
  startedAt: string;
  observer: CheckpointObserver;
  signal: AbortSignal;
}

/** What executing a claimed run uses: the engine, the store's finish and a read of the run. */
export interface ExecutionParts {
  executor: RunExecutor;
  /** Records the run's end; false when the run was already finished. */
  finish(end: RunFinish): Promise<boolean>;
  read(): Promise<Run>;
}

/**
 * Executes a claimed run with every step checkpointed by its observer, then records its end.
 * Resolves with the finished run as stored, or null when the observer was detached (shutdown):
 * the run then stays running and resumes at the next start.
 */
export async function executeClaimedRun(parts: ExecutionParts, claimed: ClaimedRun): Promise<Run | null> {
  const { run, version, observer } = claimed;
  const outcome = await parts.executor.execute({
    runId: run.id,
    workflow: version.definition,
    versionId: version.versionId,
    input: run.input,
    trigger: run.trigger,
    createdAt: run.createdAt,
    connectionId: run.connectionId,
    previousSteps: run.steps,
    ...(run.startedAt ? { startedAt: Date.parse(run.startedAt) } : {}),
    signal: claimed.signal,
    observer,
    overlapLastSave: true,
  });
  const persisted = outcome.persisted ?? Promise.resolve();
  if (observer.isDetached) {
    void persisted.catch(() => {});
    return null;
  }
  // Queued behind the last step records (the store applies writes in call order), so the run's
  // end commits with them in one group commit, never before them.
  const logs = observer.flushLogs();
  const end: RunFinish = {
    status: outcome.status,
    output: outcome.output ?? null,
    error: outcome.error,
    completedAt: outcome.completedAt,
  };
  const [, , finished] = await Promise.all([persisted, logs, parts.finish(end)]);
  // Built from what was just committed rather than read back; a run someone else finished first
  // is read.
  return finished ? observer.finishedRun(run, end, claimed.startedAt) : await parts.read();
}

/**
 * Fails a run without executing it (interrupted under `onRestart: fail`, or its version is
 * missing). Steps it left running fail with the same error, and the run's error names the first,
 * so a finished run never shows a step still running.
 */
export async function failWithoutExecuting(
  run: Run,
  error: RunError,
  completedAt: string,
  store: { saveStep(step: StepRecord): Promise<void>; finish(end: RunFinish): Promise<boolean> },
): Promise<void> {
  const open = run.steps.filter((step) => step.status === "running" || step.status === "pending");
  for (const step of open) await store.saveStep({ ...step, status: "failed", completedAt, error });
  const step = open[0]?.id;
  await store.finish({
    status: "failed",
    output: null,
    error: step ? { ...error, step } : error,
    completedAt,
  });
}
