import type { RunObserver } from "../core/engine.ts";
import type { LogLine, Run, StepRecord } from "../core/run.ts";
import type { RunEvents } from "../core/runs.ts";
import type { RunFinish, RunStore } from "../core/store.ts";
import type { TypedEmitter } from "../lib/emitter.ts";
import type { Logger } from "../lib/logger.ts";

const LOG_FLUSH_LINES = 200;

/**
 * The engine observer that makes progress durable: each step record is committed before the
 * engine moves on (DESIGN §1.2), and log lines are batched and committed with the next step
 * write, when many pile up, or at the end. Once `detach()` is called (shutdown) nothing more is
 * written, so an interrupted run stays `running` and resumes after restart.
 */
export class CheckpointObserver implements RunObserver {
  /** The last saved record of each step, in the order first saved: the store's step order. */
  private readonly saved = new Map<string, StepRecord>();
  private logBuffer: LogLine[] = [];
  private detached = false;
  private extra?: Partial<RunObserver>;

  constructor(
    private readonly runId: string,
    private readonly store: RunStore,
    private readonly events: TypedEmitter<RunEvents>,
    private readonly logger: Logger,
    previousSteps: StepRecord[] = [],
  ) {
    for (const step of previousSteps) this.saved.set(step.id, step);
  }

  /**
   * The run as the store holds it once `finish` is committed: its steps as saved, with outputs
   * and errors through JSON as stored. `startedAt` is the run's first start.
   */
  finishedRun(run: Run, finish: RunFinish, startedAt: string): Run {
    return {
      ...run,
      status: finish.status,
      output: throughJson(finish.output),
      error: throughJson(finish.error),
      startedAt,
      completedAt: finish.completedAt,
      durationMs: Date.parse(finish.completedAt) - Date.parse(startedAt),
      steps: [...this.saved.values()].map((step) => ({
        ...step,
        output: throughJson(step.output),
        error: throughJson(step.error),
      })),
    };
  }

  /** Adds a second observer (the CLI's progress printer) that sees the same calls. */
  also(observer: Partial<RunObserver>): this {
    this.extra = observer;
    return this;
  }

  detach(): void {
    this.detached = true;
  }

  get isDetached(): boolean {
    return this.detached;
  }

  async stepStarted(step: StepRecord): Promise<void> {
    if (this.detached) return;
    // Queued, not awaited: the store's commit queue is FIFO, so this record commits before the
    // step's result (which is awaited), and a one-step run needs one commit round less. Both
    // calls queue their write synchronously, before their first await.
    void this.flushLogs();
    this.save(step).catch((error) =>
      this.logger.error("could not store a step start", {
        runId: this.runId,
        error: (error as Error).message,
      }),
    );
    this.events.emit("step:started", { runId: this.runId, step });
    await this.extra?.stepStarted?.(step);
  }

  async stepFinished(step: StepRecord): Promise<void> {
    if (this.detached) return;
    // Both writes are queued before the first await: the run's end, queued right after the last
    // step finishes, must commit after this record, or the event it writes (which reads the run
    // in the same transaction) would show the step still running.
    const logs = this.flushLogs();
    await Promise.all([logs, this.save(step)]);
    this.events.emit("step:finished", { runId: this.runId, step });
    await this.extra?.stepFinished?.(step);
  }

  async stepRetrying(step: StepRecord, error: StepRecord["error"] & object, delayMs: number): Promise<void> {
    if (this.detached) return;
    await this.save(step);
    await this.extra?.stepRetrying?.(step, error, delayMs);
  }

  log(line: LogLine): void {
    if (this.detached) return;
    this.logBuffer.push(line);
    this.extra?.log?.(line);
    if (this.logBuffer.length >= LOG_FLUSH_LINES) void this.flushLogs();
  }

  private save(step: StepRecord): Promise<void> {
    this.saved.set(step.id, step);
    return this.store.saveStep(this.runId, step);
  }

  /** Commits buffered log lines. */
  async flushLogs(): Promise<void> {
    if (this.logBuffer.length === 0 || this.detached) return;
    const lines = this.logBuffer;
    this.logBuffer = [];
    try {
      await this.store.appendLogs(this.runId, lines);
    } catch (error) {
      this.logger.error("could not store run log lines", {
        runId: this.runId,
        error: (error as Error).message,
      });
    }
  }
}

/** A value as a JSON column gives it back: null for null, undefined and what JSON cannot hold. */
function throughJson<T>(value: T): T | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as T);
}
