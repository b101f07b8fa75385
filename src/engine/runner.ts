import type { EngineServices, RunExecutor, RunObserver, RunOutcome, RunRequest } from "../core/engine.ts";
import { isoTime, type RunError, type StepRecord } from "../core/run.ts";
import type { Step } from "../core/workflow.ts";
import { formatDuration } from "../lib/duration.ts";
import { createMasker, type Masker } from "../lib/mask.ts";
import type { TemplateContext } from "../template/index.ts";
import { EngineStop, RunStopper } from "./failures.ts";
import type { Plan } from "./plan.ts";
import { type PreparedWorkflow, PreparedWorkflowCache } from "./prepared.ts";
import type { StepRegistry } from "./registry.ts";
import { type RunScope, runStep } from "./step-runner.ts";

/** Options of the engine: the step types it knows and the services their executors use. */
export interface EngineOptions {
  registry: StepRegistry;
  services: EngineServices;
}

const SILENT_OBSERVER: RunObserver = {
  stepStarted: async () => {},
  stepFinished: async () => {},
  log: () => {},
};

/**
 * Creates the engine that executes (or resumes) runs. Templates are compiled once per workflow
 * version and shared by every run of that version.
 */
export function createEngine(options: EngineOptions): RunExecutor {
  const cache = new PreparedWorkflowCache();
  // Compiled once: every log line of every run is masked with it.
  const mask = createMasker(Object.values(options.services.secrets));
  return {
    execute(request) {
      const prepared = cache.get(request.versionId, request.workflow);
      return new RunExecution(request, prepared, options, mask).run();
    },
    isPure(workflow) {
      return workflow.steps.every(
        (step) => options.registry.get(step.type)?.pure === true && step.retry.attempts <= 1,
      );
    },
  };
}

/**
 * The state machine of one run. Steps start as soon as everything they need has finished; a
 * skipped step, or a failed one with continueOnError, counts as finished.
 *
 * When a step fails the run (or the run times out or is cancelled), steps still running are
 * aborted rather than left to finish: the run's outcome is already decided, and aborting frees
 * processes and connections at once instead of doing work whose result nobody will use.
 */
class RunExecution {
  private readonly records = new Map<string, StepRecord>();
  private readonly settled = new Set<string>();
  private readonly running = new Map<string, Promise<string>>();
  private readonly resumedStartedAt = new Map<string, number>();
  private readonly stopper = new RunStopper();
  /** Releases the run timeout's sleep; only a workflow with a timeout has one. */
  private cancelTimer: (() => void) | null = null;
  private readonly scope: RunScope;
  private readonly startedAtMs: number;
  private stopError: RunError | null = null;
  private saves: Promise<void>[] = [];
  private fatal: { error: unknown } | null = null;

  constructor(
    private readonly request: RunRequest,
    private readonly prepared: PreparedWorkflow,
    private readonly options: EngineOptions,
    mask: Masker,
  ) {
    const { services } = options;
    const stopper = this.stopper;
    this.startedAtMs = request.startedAt ?? services.clock.now();
    const context: TemplateContext = {
      input: request.input,
      steps: {},
      run: {
        id: request.runId,
        workflowId: request.workflow.id,
        createdAt: request.createdAt,
        trigger: request.trigger,
      },
      secrets: services.secrets,
      env: services.env,
    };
    this.scope = {
      runId: request.runId,
      workflowId: request.workflow.id,
      connectionId: request.connectionId ?? null,
      services,
      registry: options.registry,
      observer: request.observer ?? SILENT_OBSERVER,
      context,
      get signal() {
        return stopper.signal;
      },
      stopped: () => stopper.stopped,
      mask,
      publish: (record) => {
        context.steps[record.id] = { output: record.output, status: record.status, error: record.error };
      },
      deferSave: (save) => {
        // A save that fails stops the run at once (steps still running are aborted), as an
        // awaited one did; the outcome then rejects with it.
        this.saves.push(save.catch((error: unknown) => this.failInternally(error)));
      },
    };
    this.restoreRecords();
  }

  async run(): Promise<RunOutcome> {
    const { plan } = this.prepared;
    if (!plan.ok) {
      this.stop(null, { code: "INTERNAL_ERROR", message: `Workflow cannot run: ${plan.message}` });
      this.finishUnreached();
      return await this.finalOutcome();
    }
    const onCancel = () => this.stop(new EngineStop("cancel", "Run was cancelled"), cancelledError());
    this.request.signal?.addEventListener("abort", onCancel, { once: true });
    try {
      if (this.request.signal?.aborted) onCancel();
      this.armRunTimeout();
      await this.schedule(plan.plan);
      if (this.fatal) throw this.fatal.error;
      this.finishUnreached();
      return await this.finalOutcome();
    } finally {
      this.request.signal?.removeEventListener("abort", onCancel);
      this.cancelTimer?.();
    }
  }

  /** The outcome, once the step saves are committed (or, with overlapLastSave, with them pending). */
  private async finalOutcome(): Promise<RunOutcome> {
    const persisted = this.settleSaves().then(() => {
      if (this.fatal) throw this.fatal.error;
    });
    if (this.request.overlapLastSave) return { ...this.outcome(), persisted };
    await persisted;
    return this.outcome();
  }

  /** Resolves when every deferred step save has settled (a failed one has already stopped the run). */
  private async settleSaves(): Promise<void> {
    const saves = this.saves;
    this.saves = [];
    await Promise.all(saves);
  }

  /** Starts every ready step, then each time one settles, starts what it unblocked. */
  private async schedule(plan: Plan): Promise<void> {
    this.startReadySteps(plan);
    while (this.running.size > 0) {
      const id = await Promise.race(this.running.values());
      this.running.delete(id);
      this.settled.add(id);
      const record = this.records.get(id) as StepRecord;
      const step = this.prepared.steps.get(id)?.step as Step;
      if (record.status === "failed" && !step.continueOnError) {
        const error = record.error ?? { code: "STEP_FAILED", message: "Step failed" };
        this.stop(new EngineStop("step-failed", `Cancelled because step "${id}" failed`), {
          ...error,
          step: id,
        });
      }
      // A step starts only after the results it may need are committed (DESIGN §1.2).
      if (this.saves.length > 0 && this.hasReadySteps(plan)) await this.settleSaves();
      this.startReadySteps(plan);
    }
  }

  /** An observer that cannot record progress (or a bug): stop everything; run() rethrows it. */
  private failInternally(error: unknown): void {
    this.fatal ??= { error };
    this.stop(new EngineStop("cancel", "Run stopped by an internal error"), {
      code: "INTERNAL_ERROR",
      message: "Run stopped by an internal error",
    });
  }

  private hasReadySteps(plan: Plan): boolean {
    if (this.stopError) return false;
    return plan.steps.some(
      (step) =>
        this.records.get(step.id)?.status === "pending" && !this.running.has(step.id) && this.isReady(step),
    );
  }

  private startReadySteps(plan: Plan): void {
    if (this.stopError) return;
    for (const step of plan.steps) {
      const record = this.records.get(step.id) as StepRecord;
      if (record.status !== "pending" || this.running.has(step.id) || !this.isReady(step)) continue;
      const prepared = this.prepared.steps.get(step.id);
      if (!prepared) continue;
      const resumed = this.resumedStartedAt.get(step.id) ?? null;
      const settle = runStep(this.scope, prepared, record, resumed).then(
        () => step.id,
        (error: unknown) => {
          this.failInternally(error);
          return step.id;
        },
      );
      this.running.set(step.id, settle);
    }
  }

  private isReady(step: Step): boolean {
    return step.needs.every((need) => {
      if (!this.settled.has(need)) return false;
      const status = this.records.get(need)?.status;
      if (status === "completed" || status === "skipped") return true;
      return status === "failed" && this.prepared.steps.get(need)?.step.continueOnError === true;
    });
  }

  /** The first reason to stop wins: later failures of aborted steps do not change the run's error. */
  private stop(reason: EngineStop | null, error: RunError): void {
    if (this.stopError) return;
    this.stopError = error;
    if (reason) {
      if (reason.kind !== "step-failed") this.log(reason.message);
      this.stopper.stop(reason);
    }
  }

  private armRunTimeout(): void {
    const { timeoutMs } = this.request.workflow;
    if (timeoutMs === undefined) return;
    const message = `Run timed out after ${formatDuration(timeoutMs)}`;
    const timedOut = () => this.stop(new EngineStop("run-timeout", message), { code: "TIMEOUT", message });
    const remaining = this.startedAtMs + timeoutMs - this.options.services.clock.now();
    if (remaining <= 0) {
      timedOut();
      return;
    }
    this.cancelTimer = this.options.services.clock.after(remaining, timedOut);
  }

  /** Steps never started: cancelled when the run was cancelled, otherwise skipped. */
  private finishUnreached(): void {
    const cancelled = this.stopError?.code === "CANCELLED";
    for (const record of this.records.values()) {
      if (record.status !== "pending") continue;
      record.status = cancelled ? "cancelled" : "skipped";
      this.scope.publish(record);
      this.scope.deferSave(this.scope.observer.stepFinished({ ...record }));
    }
  }

  private outcome(): RunOutcome {
    const steps = [...this.records.values()].map((record) => ({ ...record }));
    const base = {
      steps,
      startedAt: isoTime(this.startedAtMs),
      completedAt: isoTime(this.options.services.clock.now()),
    };
    if (this.stopError) {
      const status = this.stopError.code === "CANCELLED" ? "cancelled" : "failed";
      return { ...base, status, output: null, error: this.stopError };
    }
    try {
      return { ...base, status: "completed", output: this.runOutput(), error: null };
    } catch (error) {
      const why = this.scope.mask(error instanceof Error ? error.message : String(error));
      return {
        ...base,
        status: "failed",
        output: null,
        error: { code: "TEMPLATE_ERROR", message: `output: ${why}` },
      };
    }
  }

  /** The workflow's `output` template, else the output of the last step in the file that completed. */
  private runOutput(): unknown {
    if (this.prepared.output) return this.prepared.output(this.scope.context);
    const completed = [...this.records.values()].filter((record) => record.status === "completed");
    return completed.at(-1)?.output ?? null;
  }

  /** Completed and skipped steps of an earlier attempt at this run are kept; the rest run again. */
  private restoreRecords(): void {
    const previous = new Map((this.request.previousSteps ?? []).map((record) => [record.id, record]));
    for (const step of this.request.workflow.steps) {
      const earlier = previous.get(step.id);
      if (earlier && (earlier.status === "completed" || earlier.status === "skipped")) {
        this.records.set(step.id, { ...earlier });
        this.settled.add(step.id);
      } else {
        this.records.set(step.id, freshRecord(step));
        const startedAt = earlier?.startedAt ? Date.parse(earlier.startedAt) : Number.NaN;
        if (Number.isFinite(startedAt)) this.resumedStartedAt.set(step.id, startedAt);
      }
      this.scope.publish(this.records.get(step.id) as StepRecord);
    }
  }

  private log(line: string): void {
    const ts = isoTime(this.options.services.clock.now());
    this.scope.observer.log({ ts, stepId: null, stream: "system", line });
  }
}

function freshRecord(step: Step): StepRecord {
  return {
    id: step.id,
    ...(step.name === undefined ? {} : { name: step.name }),
    type: step.type,
    status: "pending",
    attempts: 0,
    startedAt: null,
    completedAt: null,
    output: null,
    error: null,
  };
}

function cancelledError(): RunError {
  return { code: "CANCELLED", message: "Run was cancelled" };
}
