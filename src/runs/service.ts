import type { RunExecutor, RunObserver } from "../core/engine.ts";
import { WfdError } from "../core/errors.ts";
import { FINISHED_RUN_STATUSES, isoTime, type Run } from "../core/run.ts";
import type { CreateRunRequest, CreateRunResponse, RunEvents, WorkflowCatalog } from "../core/runs.ts";
import type { RunFinish, RunLease, RunStore } from "../core/store.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { TypedEmitter } from "../lib/emitter.ts";
import { InFlight } from "../lib/in-flight.ts";
import { type Logger, silentLogger } from "../lib/logger.ts";
import { repeatEvery } from "../lib/loop.ts";
import { CheckpointObserver } from "./checkpoint.ts";
import { RunClaims } from "./claims.ts";
import { type PreparedRun, prepareRun, replayOrRefuse, responseOf } from "./create.ts";
import { ExecutingRuns } from "./executing.ts";
import { RunFinishes } from "./finish-waiters.ts";
import { processOwnerId } from "./owner.ts";
import { announceExecutedRun, createExecutedRun } from "./pure-run.ts";
import { RunQueue } from "./queue.ts";
import { executeClaimedRun, failWithoutExecuting } from "./run-execution.ts";

export interface RunServiceOptions {
  store: RunStore;
  catalog: WorkflowCatalog;
  executor: RunExecutor;
  clock?: Clock;
  logger?: Logger;
  /** Runs executing at once, all workflows. */
  concurrency: number;
  idempotencyTtlMs: number;
  /** Lease owner id of this process. */
  owner?: string;
  /** How long a claim on a running run lasts without renewal. */
  leaseMs?: number;
  /** Put finished runs' events in the outbox for webhooks (`wfd serve`; not `wfd run`). */
  notifyEvents?: boolean;
}

const CANCELLED = "cancelled";

/**
 * Creates runs, dispatches them within the concurrency limits, executes them with every step
 * checkpointed, recovers interrupted runs at start, and cancels on request.
 */
export class RunService {
  readonly events = new TypedEmitter<RunEvents>();
  readonly owner: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly leaseMs: number;
  private readonly queue: RunQueue;
  private readonly executing = new ExecutingRuns();
  /** Runs created here and not yet started: execute() need not read them back. */
  private readonly created = new Map<string, Run>();
  private readonly claims: RunClaims;
  private readonly finishes: RunFinishes;
  /** Every execute() and run executed at creation under way, including those not yet executing. */
  private readonly executions = new InFlight();
  private dispatching = false;
  /** Runs executing through `runInline` (`wfd run`): the queue is pumped for their child runs. */
  private inlineRuns = 0;
  private stopping = false;
  private loops = new AbortController();

  constructor(private readonly options: RunServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.owner = options.owner ?? processOwnerId();
    this.queue = new RunQueue(options.concurrency);
    this.claims = new RunClaims({
      store: options.store,
      clock: this.clock,
      queue: this.queue,
      owner: this.owner,
      leaseMs: this.leaseMs,
      concurrency: options.concurrency,
    });
    this.finishes = new RunFinishes(this.events, this.clock, (runId) => this.get(runId));
  }

  /** Runs waiting for a slot in this process. */
  get pendingCount(): number {
    return this.queue.pending;
  }

  /** Runs executing in this process. */
  get runningCount(): number {
    return this.executing.size;
  }

  /** Recovers pending and interrupted runs, then dispatches runs as they are created. */
  async start(): Promise<void> {
    const { store } = this.options;
    const unfinished = await store.listRunsByStatus(["running", "pending"]);
    unfinished.sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const run of unfinished) await this.enqueue(run);
    if (unfinished.length) this.logger.info("recovered unfinished runs", { count: unfinished.length });
    this.dispatching = true;
    void repeatEvery(
      this.clock,
      Math.max(1000, Math.floor(this.leaseMs / 3)),
      this.loops.signal,
      () => store.renewLeases(this.owner, isoTime(this.clock.now() + this.leaseMs)),
      (error) => this.logger.error("lease renewal failed", { error: (error as Error).message }),
    );
    this.pump();
  }

  /**
   * Stops accepting runs, lets running ones finish for `graceMs`, then interrupts the rest
   * without recording an end state, so they resume at the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.dispatching = false;
    this.loops.abort();
    const allDone = this.inFlight();
    const graceOver = new AbortController();
    const finished = await Promise.race([
      allDone.then(() => true),
      this.clock.sleep(graceMs, graceOver.signal).then(
        () => false,
        () => false,
      ),
    ]);
    graceOver.abort();
    if (!finished) {
      this.executing.interruptAll(this.logger);
      await this.inFlight();
    }
    // Callers still waiting (POST with `wait`) get the pending answer before the server closes.
    this.finishes.releaseAll();
  }

  /**
   * Interrupts every running step now instead of at the end of the grace period (a second
   * SIGTERM): their runs stay running in the store and resume at the next start.
   */
  interruptNow(): void {
    if (this.stopping) this.executing.interruptAll(this.logger);
  }

  /** Settles when every execution here is done; those not yet executing return before claiming. */
  private inFlight(): Promise<unknown> {
    return Promise.all([this.executions.settled(), this.executing.ended()]);
  }

  /**
   * Validates and durably records a run, then queues it. Replays return the existing run. A run
   * whose steps are all pure that can start at once is executed first and recorded finished
   * (pure-run.ts); its answer is the finished run.
   */
  async create(request: CreateRunRequest): Promise<CreateRunResponse> {
    if (this.stopping) throw new WfdError("UNAVAILABLE", "wfd is shutting down; try again shortly");
    let prepared: PreparedRun;
    try {
      prepared = prepareRun(this.options.catalog, request, this.clock.now(), this.options.idempotencyTtlMs);
    } catch (refusal) {
      return replayOrRefuse(this.options, request, refusal);
    }
    const { concurrency } = prepared.version.definition;
    const claims = {
      ...(prepared.idempotency ? { idempotency: prepared.idempotency } : {}),
      ...(request.slot ? { slot: request.slot } : {}),
    };
    if (this.canExecuteAtCreation(prepared)) {
      // The run holds a running slot until it is stored, so no queued run starts in its place.
      const { workflowId } = prepared.row;
      this.queue.markRunning(workflowId);
      const notify = this.options.notifyEvents ?? false;
      const creation = createExecutedRun(this.options, prepared, claims, notify).finally(() => {
        this.queue.release(workflowId);
        this.pump();
      });
      const result = await this.executions.track(creation);
      if (result.outcome === "created") {
        announceExecutedRun(this.events, result.run);
        this.finishes.announce(result.run);
      }
      return responseOf(result, request, this.options);
    }
    const create = (lease?: RunLease) =>
      this.options.store.createRun(prepared.row, { ...claims, ...(lease ? { lease } : {}) });
    const result = this.dispatching
      ? await this.claims.create(prepared.row.id, concurrency, create)
      : await create();
    if (result.outcome === "created") this.enqueueCreated(result.run, concurrency);
    return responseOf(result, request, this.options);
  }

  private canExecuteAtCreation(prepared: PreparedRun): boolean {
    const { definition } = prepared.version;
    return (
      this.dispatching &&
      this.options.executor.isPure(definition) &&
      this.claims.canStartAtOnce(definition.concurrency)
    );
  }

  private enqueueCreated(run: Run, workflowLimit: number | undefined): void {
    this.events.emit("run:created", run);
    this.created.set(run.id, run);
    this.finishes.expect(run.id);
    this.queueRun(run, workflowLimit);
    this.pump();
  }

  /** The run with its steps, or NOT_FOUND. */
  async get(runId: string): Promise<Run> {
    const run = await this.options.store.getRun(runId);
    if (!run) throw new WfdError("NOT_FOUND", `Run "${runId}" not found`);
    return run;
  }

  /** Cancels a pending or running run; a finished run is INVALID_STATUS. */
  async cancel(runId: string): Promise<Run> {
    const run = await this.get(runId);
    if (FINISHED_RUN_STATUSES.includes(run.status)) {
      throw new WfdError("INVALID_STATUS", `Run is already ${run.status} and cannot be cancelled`);
    }
    if (await this.executing.abort(runId, CANCELLED)) return this.get(runId);
    this.queue.remove(runId);
    this.created.delete(runId);
    this.claims.forget(runId);
    await this.finish(runId, {
      status: "cancelled",
      output: null,
      error: { code: "CANCELLED", message: "Run was cancelled" },
      completedAt: isoTime(this.clock.now()),
    });
    const cancelled = await this.get(runId);
    this.finishes.announce(cancelled);
    return cancelled;
  }

  /** Resolves with the run once it is finished, or null when `timeoutMs` passes or `signal` aborts first. */
  waitForFinish(runId: string, timeoutMs: number | null, signal?: AbortSignal): Promise<Run | null> {
    return this.finishes.wait(runId, timeoutMs, signal);
  }

  /**
   * Executes a run here and now, outside the queue (`wfd run`). `observer` also sees the progress;
   * aborting `signal` cancels the run.
   */
  async runInline(runId: string, observer: Partial<RunObserver>, signal: AbortSignal): Promise<Run> {
    this.queue.remove(runId);
    const onAbort = () => void this.executing.abort(runId, CANCELLED);
    signal.addEventListener("abort", onAbort, { once: true });
    this.inlineRuns++;
    try {
      await this.execute(runId, observer);
    } finally {
      this.inlineRuns--;
      signal.removeEventListener("abort", onAbort);
    }
    return this.get(runId);
  }

  /**
   * Waits for a child run that `parentRunId`'s workflow step started. A parent that holds a slot of
   * the global `concurrency` lends it while it waits: otherwise parents waiting for their children
   * could hold every slot, and the children would never start.
   */
  async waitForChild(parentRunId: string, childRunId: string, signal: AbortSignal): Promise<Run | null> {
    const lends = this.queue.lend(parentRunId);
    if (lends) this.pump();
    try {
      return await this.waitForFinish(childRunId, null, signal);
    } finally {
      if (lends) this.queue.reclaim();
    }
  }

  /** Queues a run found at start, under its pinned version's limit. */
  private async enqueue(run: Run): Promise<void> {
    const version = await this.options.catalog.version(run.workflowId, run.versionId);
    this.queueRun(run, version?.definition.concurrency);
  }

  private queueRun(run: Run, workflowLimit: number | undefined): void {
    this.queue.enqueue({
      runId: run.id,
      workflowId: run.workflowId,
      ...(workflowLimit ? { workflowLimit } : {}),
    });
  }

  private pump(): void {
    if (!this.dispatching && this.inlineRuns === 0) return;
    for (let next = this.queue.take(); next; next = this.queue.take()) {
      const taken = next;
      const { runId } = taken;
      const execution = this.execute(runId)
        .catch((error) =>
          this.logger.error("run execution failed", { runId, error: (error as Error).message }),
        )
        .finally(() => {
          this.queue.releaseTaken(taken);
          this.pump();
        });
      void this.executions.track(execution);
    }
  }

  /** Executes a run; until it finishes here, waitForFinish knows it is unfinished without a read. */
  private async execute(runId: string, extra?: Partial<RunObserver>): Promise<void> {
    try {
      await this.executeNow(runId, extra);
    } finally {
      this.finishes.forget(runId);
    }
  }

  private async executeNow(runId: string, extra?: Partial<RunObserver>): Promise<void> {
    const { store, catalog, executor } = this.options;
    const fresh = this.created.get(runId);
    this.created.delete(runId);
    // A run created here and never started is known; the claim below re-checks its status.
    const run = fresh ?? (await store.getRun(runId));
    if (!run || FINISHED_RUN_STATUSES.includes(run.status)) return;
    if (this.stopping && !extra) return;
    const claimedAt = await this.claims.take(runId);
    if (claimedAt === null) return;
    const version = await catalog.version(run.workflowId, run.versionId);
    if (!version)
      return this.finishEarly(run, "INTERNAL_ERROR", `Version ${run.versionId} of the workflow is missing`);
    // A run can be stored running before any work (claimed by its own insert): only one whose
    // steps had started was interrupted.
    const started = run.steps.some((step) => step.startedAt !== null);
    if (run.status === "running" && started && version.definition.onRestart === "fail") {
      return this.finishEarly(run, "INTERRUPTED", "Run was interrupted by a restart (onRestart: fail)");
    }
    const observer = new CheckpointObserver(runId, store, this.events, this.logger, run.steps);
    if (extra) observer.also(extra);
    const parts = {
      executor,
      finish: (end: RunFinish) => this.finish(runId, end),
      read: () => this.get(runId),
    };
    await this.executing.track(runId, observer, async (signal) => {
      this.events.emit("run:started", { runId, workflowId: run.workflowId });
      const startedAt = run.startedAt ?? claimedAt;
      const finished = await executeClaimedRun(parts, { run, version, startedAt, observer, signal });
      if (finished) this.finishes.announce(finished);
    });
  }

  private finish(runId: string, finish: RunFinish): Promise<boolean> {
    return this.options.store.finishRun(runId, finish, { notify: this.options.notifyEvents ?? false });
  }

  private async finishEarly(run: Run, code: string, message: string): Promise<void> {
    const completedAt = isoTime(this.clock.now());
    await failWithoutExecuting(run, { code, message }, completedAt, {
      saveStep: (step) => this.options.store.saveStep(run.id, step),
      finish: (end) => this.finish(run.id, end),
    });
    this.finishes.announce(await this.get(run.id));
  }
}
