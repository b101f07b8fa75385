import { StepError } from "../core/errors.ts";
import type { RunError } from "../core/run.ts";
import type { RetryPolicy } from "../core/workflow.ts";

/** Why the engine aborted a step's signal. Used as the AbortSignal reason so every layer can tell. */
export type StopKind = "cancel" | "run-timeout" | "step-failed" | "step-timeout";

/** The reason the engine gives when it aborts work; its message is what the step's error will say. */
export class EngineStop extends Error {
  constructor(
    readonly kind: StopKind,
    message: string,
  ) {
    super(message);
    this.name = "EngineStop";
  }
}

/** One failed attempt, in the words stored with the step. */
export interface AttemptFailure {
  error: RunError;
  retryable: boolean;
}

/** Output larger than this (as JSON text) fails its step: it would bloat the store and every API answer. */
export const MAX_OUTPUT_CHARS = 1024 * 1024;

/**
 * Turns whatever an attempt threw into a stored error. When the attempt's signal was aborted by a
 * step timeout, that is the real cause, whatever the executor reported while unwinding.
 */
export function describeFailure(thrown: unknown, signal: AbortSignal): AttemptFailure {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof EngineStop && reason.kind === "step-timeout") {
    return { error: { code: "TIMEOUT", message: reason.message }, retryable: true };
  }
  if (thrown instanceof StepError) {
    return { error: { code: thrown.code, message: thrown.message }, retryable: thrown.retryable };
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { error: { code: "STEP_FAILED", message: message || "Step failed" }, retryable: true };
}

/**
 * A run's stop: the first reason given, and an AbortSignal aborted with it. The signal is made on
 * first use, so a run whose steps never ask for it (a transform) builds no AbortController: one
 * per run showed up in the profile of one-step runs.
 */
export class RunStopper {
  private controller: AbortController | null = null;
  private reason: EngineStop | null = null;

  /** Aborted with the stop's EngineStop once the run stops. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Why the run stopped, or null while it goes on. */
  get stopped(): EngineStop | null {
    return this.reason;
  }

  /** Stops the run; the first reason wins. */
  stop(reason: EngineStop): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** Throws OUTPUT_TOO_LARGE (not retryable) when `output` is larger than MAX_OUTPUT_CHARS as JSON. */
export function checkOutputSize(output: unknown): void {
  let json: string | undefined;
  try {
    json = JSON.stringify(output);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new StepError("STEP_FAILED", `Step output cannot be stored as JSON: ${why}`, { retryable: false });
  }
  if (json !== undefined && json.length > MAX_OUTPUT_CHARS) {
    throw new StepError(
      "OUTPUT_TOO_LARGE",
      `Step output is ${json.length} characters of JSON, over the limit of ${MAX_OUTPUT_CHARS}`,
      { retryable: false },
    );
  }
}

/**
 * The wait before the attempt after `failedAttempt` (1-based). A maxDelayMs of 0 means no cap,
 * so a policy that only sets a delay is not silently turned into "retry at once".
 */
export function retryDelay(policy: RetryPolicy, failedAttempt: number): number {
  const factor =
    policy.backoff === "fixed" ? 1 : policy.backoff === "linear" ? failedAttempt : 2 ** (failedAttempt - 1);
  const delay = policy.delayMs * factor;
  return policy.maxDelayMs > 0 ? Math.min(delay, policy.maxDelayMs) : delay;
}
