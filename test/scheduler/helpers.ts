import type { Run, RunStatus } from "../../src/core/run.ts";
import type { CreateRunRequest, CreateRunResponse, RunEvents } from "../../src/core/runs.ts";
import { formatProblem, type Workflow } from "../../src/core/workflow.ts";
import { type Clock, ManualClock } from "../../src/lib/clock.ts";
import { TypedEmitter } from "../../src/lib/emitter.ts";
import { prefixedId } from "../../src/lib/ids.ts";
import { Scheduler, type SchedulerOptions, type SlotEvent } from "../../src/scheduler/index.ts";
import { parseWorkflowFile } from "../../src/workflows/parse.ts";

/** Parses a workflow file; throws on any problem. */
export function workflowOf(file: string, yaml: string): Workflow {
  const { version, problems } = parseWorkflowFile(file, yaml);
  if (!version) throw new Error(problems.map(formatProblem).join("\n"));
  return version.definition;
}

/** A workflow file with one schedule trigger and a transform step. */
export function scheduledYaml(trigger: string, extra = ""): string {
  return `name: Scheduled
${extra}trigger:
  - type: api
  - type: schedule
${trigger
  .trim()
  .split("\n")
  .map((line) => `    ${line.trim()}`)
  .join("\n")}
steps:
  - id: noop
    type: transform
    config: { mapping: { ok: true } }
`;
}

/** A registry of workflows held in memory; `set` and `remove` emit what the real registry emits. */
export class FakeRegistry {
  readonly events = new TypedEmitter<{
    "workflow:updated": { id: string };
    "workflow:removed": { id: string };
  }>();
  private readonly workflows = new Map<string, Workflow>();

  set(file: string, yaml: string): Workflow {
    const workflow = workflowOf(file, yaml);
    this.workflows.set(workflow.id, workflow);
    this.events.emit("workflow:updated", { id: workflow.id });
    return workflow;
  }

  remove(id: string): void {
    this.workflows.delete(id);
    this.events.emit("workflow:removed", { id });
  }

  list() {
    return [...this.workflows.values()].map((definition) => ({ version: { definition } }));
  }
}

/**
 * A run service and store in memory: slot claims are unique like the store's, runs stay pending
 * until `finish`. `refuse` makes create throw like the real service refusing a run.
 */
export class FakeRuns {
  readonly events = new TypedEmitter<RunEvents>();
  readonly created: Run[] = [];
  readonly claims = new Set<string>();
  refuse: Error | null = null;

  constructor(private readonly clock: Clock) {}

  async create(request: CreateRunRequest): Promise<CreateRunResponse> {
    if (this.refuse) throw this.refuse;
    const slot = request.slot;
    const claim = slot && `${request.workflowId}#${slot.triggerIndex}#${slot.scheduledFor}`;
    if (claim && this.claims.has(claim)) return { run: null, replayed: false };
    if (claim) this.claims.add(claim);
    const run = makeRun(request, new Date(this.clock.now()).toISOString());
    this.created.push(run);
    this.events.emit("run:created", run);
    return { run, replayed: false };
  }

  /** Marks a run completed and says so, like the run service. */
  finish(runId: string): void {
    const run = this.created.find((r) => r.id === runId);
    if (!run) throw new Error(`no run ${runId}`);
    run.status = "completed";
    this.events.emit("run:finished", run);
  }

  /** A claim made earlier (by a previous process), as the store would hold it. */
  claim(workflowId: string, triggerIndex: number, scheduledFor: string): void {
    this.claims.add(`${workflowId}#${triggerIndex}#${scheduledFor}`);
  }

  async lastScheduledSlot(workflowId: string, triggerIndex: number): Promise<string | null> {
    const prefix = `${workflowId}#${triggerIndex}#`;
    const mine = [...this.claims].filter((c) => c.startsWith(prefix)).map((c) => c.slice(prefix.length));
    return mine.sort().at(-1) ?? null;
  }

  async listRunsByStatus(statuses: RunStatus[]): Promise<Run[]> {
    return this.created.filter((run) => statuses.includes(run.status));
  }

  /** ISO slot times of the runs created so far. */
  get slots(): string[] {
    return this.created.map((run) => (run.trigger.type === "schedule" ? run.trigger.scheduledFor : "?"));
  }
}

function makeRun(request: CreateRunRequest, createdAt: string): Run {
  return {
    id: prefixedId("run"),
    workflowId: request.workflowId,
    workflowVersion: 1,
    versionId: "sha256:test",
    status: "pending",
    input: request.input ?? {},
    output: null,
    error: null,
    trigger: request.trigger,
    idempotencyKey: null,
    connectionId: null,
    entityType: null,
    entityId: null,
    webhookUrl: null,
    createdAt,
    startedAt: null,
    completedAt: null,
    durationMs: null,
    steps: [],
  };
}

/** A scheduler on a manual clock, with every slot event recorded. */
export class Harness {
  readonly clock: ManualClock;
  readonly registry = new FakeRegistry();
  readonly runs: FakeRuns;
  readonly slotEvents: SlotEvent[] = [];
  scheduler!: Scheduler;

  constructor(start: string | number, clock?: ManualClock) {
    this.clock = clock ?? new ManualClock(typeof start === "string" ? Date.parse(start) : start);
    this.runs = new FakeRuns(this.clock);
  }

  async start(options: Partial<SchedulerOptions> = {}, clock: Clock = this.clock): Promise<Scheduler> {
    this.scheduler = new Scheduler({
      registry: this.registry,
      runs: this.runs,
      store: this.runs,
      clock,
      ...options,
    });
    this.scheduler.events.on("slot", (event) => this.slotEvents.push(event));
    await this.scheduler.start();
    await this.clock.waitForSleepers(1);
    return this.scheduler;
  }

  /** Moves the clock to `iso`, letting the scheduler wake (and finish its tick) at every wake time on the way. */
  async advanceTo(iso: string): Promise<void> {
    const target = Date.parse(iso);
    for (;;) {
      await this.clock.waitForSleepers(1);
      const wake = this.scheduler.nextWakeAt ?? Number.POSITIVE_INFINITY;
      if (wake > target) return this.clock.advance(target - this.clock.now());
      const ticked = this.scheduler.events.waitFor("tick");
      await this.clock.advance(wake - this.clock.now());
      await ticked;
    }
  }

  /** Runs `action` (which must wake the scheduler) and waits for the tick it causes. */
  async wakeWith(action: () => void): Promise<void> {
    const ticked = this.scheduler.events.waitFor("tick");
    action();
    await ticked;
    await this.clock.waitForSleepers(1);
  }

  /** Slot events of one outcome, as ISO slot times. */
  outcomes(outcome: SlotEvent["outcome"]): string[] {
    return this.slotEvents.filter((e) => e.outcome === outcome).map((e) => e.scheduledFor);
  }
}

/** A wall clock that can jump while timers keep their monotonic pace, like a real machine's clock. */
export class JumpingClock implements Clock {
  private offset = 0;

  constructor(readonly timers: ManualClock) {}

  now(): number {
    return this.timers.now() + this.offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.timers.sleep(ms, signal);
  }

  after(ms: number, callback: () => void): () => void {
    return this.timers.after(ms, callback);
  }

  /** Moves the wall clock by `ms` (negative: back) without waking anything. */
  jump(ms: number): void {
    this.offset += ms;
  }
}
