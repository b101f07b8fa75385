import type { EngineServices, RunObserver, StepExecutor } from "../core/engine.ts";
import { isoTime, type RunError, type StepRecord, type StepStatus } from "../core/run.ts";
import type { Step } from "../core/workflow.ts";
import { formatDuration } from "../lib/duration.ts";
import { messageOf } from "../lib/message.ts";
import type { TemplateContext } from "../template/index.ts";
import { type AttemptFailure, checkOutputSize, describeFailure, EngineStop, retryDelay } from "./failures.ts";
import type { PreparedStep } from "./prepared.ts";
import type { StepRegistry } from "./registry.ts";

/** What one run shares with each of its steps. */
export interface RunScope {
  runId: string;
  workflowId: string;
  connectionId: string | null;
  services: EngineServices;
  registry: StepRegistry;
  observer: RunObserver;
  /** The template context; the runner keeps `steps` current as steps finish. */
  context: TemplateContext;
  /** Aborted with an EngineStop when the run is cancelled, times out or fails. */
  readonly signal: AbortSignal;
  /** The EngineStop of a run that was cancelled, timed out or failed; null while it goes on. */
  stopped(): EngineStop | null;
  mask(text: string): string;
  /** Records a step's final state in the template context. */
  publish(record: StepRecord): void;
  /** Keeps a step's final save, which the runner awaits before starting anything that needs it. */
  deferSave(save: Promise<void>): void;
}

type AttemptResult = { ok: true; output: unknown } | { ok: false; failure: AttemptFailure };

/**
 * Runs one step to its final status: evaluates `if`, renders the config, runs the attempts with
 * retries and timeouts, and tells the observer. Step problems end in the record, never as a throw;
 * only an observer failure (or a bug) rejects.
 */
export async function runStep(
  scope: RunScope,
  prepared: PreparedStep,
  record: StepRecord,
  resumedStartedAt: number | null,
): Promise<void> {
  const { step } = prepared;
  const condition = evaluateCondition(scope, prepared);
  if (condition !== true) {
    return condition === false
      ? finish(scope, record, "skipped", null, null)
      : finishFailed(scope, record, condition);
  }
  const firstStartedAt = resumedStartedAt ?? scope.services.clock.now();
  Object.assign(record, { status: "running", attempts: 1, startedAt: isoTime(firstStartedAt) });
  await scope.observer.stepStarted({ ...record });

  let config: Record<string, unknown>;
  try {
    config = renderConfig(scope, prepared);
  } catch (error) {
    return finishFailed(scope, record, { code: "TEMPLATE_ERROR", message: messageOf(error) });
  }
  const executor = scope.registry.get(step.type);
  if (!executor) {
    const message = `Step type "${step.type}" is not available in this wfd`;
    return finishFailed(scope, record, { code: "INVALID_CONFIG", message });
  }
  return runAttempts(scope, executor, step, config, record, firstStartedAt);
}

async function runAttempts(
  scope: RunScope,
  executor: StepExecutor,
  step: Step,
  config: Record<string, unknown>,
  record: StepRecord,
  firstStartedAt: number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // The run may have stopped while the observer recorded the start: do not begin work nobody wants.
    const stopped = scope.stopped();
    if (stopped) return finishStopped(scope, record, stopped);
    record.attempts = attempt;
    const result = await runAttempt(scope, executor, step, config, attempt, firstStartedAt);
    if (result.ok) return finish(scope, record, "completed", result.output, null);
    const stop = scope.stopped();
    if (stop) return finishStopped(scope, record, stop);
    const { error, retryable } = result.failure;
    if (!retryable || attempt >= step.retry.attempts) return finishFailed(scope, record, error);

    const delayMs = retryDelay(step.retry, attempt);
    const masked = maskError(scope, error);
    const summary = `attempt ${attempt} of ${step.retry.attempts}`;
    log(
      scope,
      step.id,
      `step "${step.id}" failed (${summary}): ${masked.message}; retrying in ${formatDuration(delayMs)}`,
    );
    await scope.observer.stepRetrying?.({ ...record }, masked, delayMs);
    try {
      await scope.services.clock.sleep(delayMs, scope.signal);
    } catch (error) {
      const stopped = scope.stopped();
      if (!stopped) throw error;
      return finishStopped(scope, record, stopped);
    }
  }
}

/** One attempt, raced against the step timeout on the injected clock. */
async function runAttempt(
  scope: RunScope,
  executor: StepExecutor,
  step: Step,
  config: Record<string, unknown>,
  attempt: number,
  firstStartedAt: number,
): Promise<AttemptResult> {
  // Without a step timeout the run's signal is the attempt's: no controllers, timers or
  // combined signals per attempt (they showed up in the profile of one-step runs). It is read
  // only when asked for, so that the run's signal is made only for steps that use it.
  let timeoutSignal: AbortSignal | undefined;
  const signal = () => timeoutSignal ?? scope.signal;
  let cancelTimer: (() => void) | undefined;
  if (step.timeoutMs !== undefined) {
    const timeout = new AbortController();
    timeoutSignal = AbortSignal.any([scope.signal, timeout.signal]);
    const message = `Step timed out after ${formatDuration(step.timeoutMs)}`;
    cancelTimer = scope.services.clock.after(step.timeoutMs, () =>
      timeout.abort(new EngineStop("step-timeout", message)),
    );
  }
  try {
    const output = await executor.execute({
      runId: scope.runId,
      workflowId: scope.workflowId,
      step,
      config,
      attempt,
      firstStartedAt,
      connectionId: scope.connectionId,
      get signal() {
        return signal();
      },
      services: scope.services,
      log: (stream, line) => log(scope, step.id, line, stream),
      mask: scope.mask,
    });
    checkOutputSize(output);
    return { ok: true, output: output ?? null };
  } catch (thrown) {
    return { ok: false, failure: describeFailure(thrown, signal()) };
  } finally {
    cancelTimer?.();
  }
}

/** true: run it; false: skip it; a RunError: the condition itself is broken. */
function evaluateCondition(scope: RunScope, prepared: PreparedStep): boolean | RunError {
  if (!prepared.condition) return true;
  try {
    return prepared.condition(scope.context);
  } catch (error) {
    return { code: "TEMPLATE_ERROR", message: `"if" of step "${prepared.step.id}": ${messageOf(error)}` };
  }
}

function renderConfig(scope: RunScope, prepared: PreparedStep): Record<string, unknown> {
  const config = prepared.config(scope.context);
  if (config === null || config === undefined) return {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new Error(`config of step "${prepared.step.id}" must render to an object`);
  }
  return config as Record<string, unknown>;
}

function finishStopped(scope: RunScope, record: StepRecord, stop: EngineStop): Promise<void> {
  if (stop.kind === "run-timeout")
    return finishFailed(scope, record, { code: "TIMEOUT", message: stop.message });
  return finish(scope, record, "cancelled", null, { code: "CANCELLED", message: stop.message });
}

function finishFailed(scope: RunScope, record: StepRecord, error: RunError): Promise<void> {
  log(scope, record.id, `step "${record.id}" failed: ${scope.mask(error.message)}`);
  return finish(scope, record, "failed", null, error);
}

async function finish(
  scope: RunScope,
  record: StepRecord,
  status: StepStatus,
  output: unknown,
  error: RunError | null,
): Promise<void> {
  record.status = status;
  record.output = output;
  record.error = error ? maskError(scope, error) : null;
  // A step that never started keeps no timestamps: there is no span of work to show.
  record.completedAt = record.startedAt ? isoTime(scope.services.clock.now()) : null;
  scope.publish(record);
  scope.deferSave(scope.observer.stepFinished({ ...record }));
}

function maskError(scope: RunScope, error: RunError): RunError {
  return { ...error, message: scope.mask(error.message) };
}

function log(
  scope: RunScope,
  stepId: string,
  line: string,
  stream: "stdout" | "stderr" | "system" = "system",
): void {
  const ts = isoTime(scope.services.clock.now());
  scope.observer.log({ ts, stepId, stream, line: scope.mask(line) });
}
