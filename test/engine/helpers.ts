import type {
  EngineServices,
  RunObserver,
  RunRequest,
  StepContext,
  StepExecutor,
} from "../../src/core/engine.ts";
import type { StepError } from "../../src/core/errors.ts";
import type { LogLine, RunError, StepRecord } from "../../src/core/run.ts";
import { NO_RETRY, type Step, type StepType, type Workflow } from "../../src/core/workflow.ts";
import type { StepRegistry } from "../../src/engine/registry.ts";
import { createEngine } from "../../src/engine/runner.ts";
import { createStepRegistry } from "../../src/engine/steps/index.ts";
import { type Clock, ManualClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { createMasker } from "../../src/lib/mask.ts";

export const START = Date.parse("2026-01-15T10:00:00.000Z");

/** A step as tests write it: only id is required; the rest gets the validator's defaults. */
export type StepSpec = Partial<Step> & { id: string };

/** A resolved workflow: `needs` defaults to the previous step, as the validator resolves it. */
export function makeWorkflow(specs: StepSpec[], extra: Partial<Workflow> = {}): Workflow {
  const steps = specs.map((spec, index): Step => {
    const previous = specs[index - 1];
    return {
      type: "transform",
      needs: previous ? [previous.id] : [],
      retry: NO_RETRY,
      continueOnError: false,
      config: {},
      ...spec,
    };
  });
  return {
    id: "wf",
    name: "Test",
    status: "active",
    triggers: [],
    onRestart: "resume",
    file: "wf.yaml",
    steps,
    ...extra,
  };
}

let versionCounter = 0;

/** A request with a fresh version id, so the engine's per-version cache never mixes tests. */
export function makeRequest(workflow: Workflow, extra: Partial<RunRequest> = {}): RunRequest {
  versionCounter += 1;
  return {
    runId: "run_TEST",
    workflow,
    versionId: `sha256:test-${versionCounter}`,
    input: {},
    trigger: { type: "cli" },
    createdAt: new Date(START).toISOString(),
    ...extra,
  };
}

export function makeServices(
  clock: Clock = new ManualClock(START),
  extra: Partial<EngineServices> = {},
): EngineServices {
  return {
    clock,
    logger: silentLogger,
    workflowsDir: process.cwd(),
    secrets: {},
    env: {},
    connections: {},
    ...extra,
  };
}

/** One observer call, flattened for easy assertions. */
export type ObservedEvent =
  | { kind: "started"; id: string; record: StepRecord }
  | { kind: "finished"; id: string; status: string; record: StepRecord }
  | { kind: "retrying"; id: string; error: RunError; delayMs: number };

/** An observer that records every call in order. */
export class RecordingObserver implements RunObserver {
  readonly events: ObservedEvent[] = [];
  readonly logs: LogLine[] = [];
  onStarted: (record: StepRecord) => Promise<void> = async () => {};
  onFinished: (record: StepRecord) => Promise<void> = async () => {};
  onLog: (line: LogLine) => void = () => {};

  async stepStarted(record: StepRecord): Promise<void> {
    this.events.push({ kind: "started", id: record.id, record });
    await this.onStarted(record);
  }
  async stepFinished(record: StepRecord): Promise<void> {
    this.events.push({ kind: "finished", id: record.id, status: record.status, record });
    await this.onFinished(record);
  }
  async stepRetrying(record: StepRecord, error: RunError, delayMs: number): Promise<void> {
    this.events.push({ kind: "retrying", id: record.id, error, delayMs });
  }
  log(line: LogLine): void {
    this.logs.push(line);
    this.onLog(line);
  }
  /** "started:a", "finished:a:completed", ... */
  trace(): string[] {
    return this.events.map((event) =>
      event.kind === "finished" ? `finished:${event.id}:${event.status}` : `${event.kind}:${event.id}`,
    );
  }
}

/** A step type for tests whose behaviour each test supplies, per step id. */
export const PROBE = "probe" as StepType;
export type ProbeHandler = (context: StepContext) => Promise<unknown>;

export function probeExecutor(handlers: Record<string, ProbeHandler>): StepExecutor {
  return {
    type: PROBE,
    execute(context) {
      const handler = handlers[context.step.id];
      if (!handler) throw new Error(`no probe handler for step ${context.step.id}`);
      return handler(context);
    },
  };
}

/** The built-in registry plus the probe type. */
export function registryWith(handlers: Record<string, ProbeHandler> = {}): StepRegistry {
  const registry = createStepRegistry({ shell: { killGraceMs: 200 } });
  registry.register(probeExecutor(handlers));
  return registry;
}

/** An engine over a ManualClock, with probe handlers and an observer. */
export function setup(handlers: Record<string, ProbeHandler> = {}, services: Partial<EngineServices> = {}) {
  const clock = new ManualClock(START);
  const observer = new RecordingObserver();
  const engine = createEngine({ registry: registryWith(handlers), services: makeServices(clock, services) });
  const run = (workflow: Workflow, extra: Partial<RunRequest> = {}) =>
    engine.execute(makeRequest(workflow, { observer, ...extra }));
  return { clock, observer, engine, run };
}

/** A promise with its resolve function, for tests that need to hold a step at a known point. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Resolves never, rejects with the signal's reason when it aborts: a step that runs until stopped. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** A StepContext for calling one executor directly. */
export function stepContext(
  step: StepSpec & { type: StepType },
  config: Record<string, unknown>,
  extra: Partial<StepContext> = {},
): StepContext & { lines: Array<{ stream: string; line: string }> } {
  const lines: Array<{ stream: string; line: string }> = [];
  const [resolved] = makeWorkflow([step]).steps;
  const services = extra.services ?? makeServices();
  return {
    runId: "run_TEST",
    workflowId: "wf",
    step: resolved as Step,
    config,
    attempt: 1,
    firstStartedAt: START,
    connectionId: null,
    signal: new AbortController().signal,
    services,
    log: (stream, line) => lines.push({ stream, line }),
    mask: createMasker(Object.values(services.secrets)),
    lines,
    ...extra,
  };
}

/** The StepError a step execution rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<StepError> {
  try {
    await promise;
  } catch (error) {
    return error as StepError;
  }
  throw new Error("expected the step to fail");
}
