import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { LogLine, RunError, RunStatus, RunTrigger, StepRecord } from "./run.ts";
import type { Step, StepType, Workflow } from "./workflow.ts";

/**
 * What the engine tells its caller as a run progresses. The run service implements it to
 * checkpoint every step in the store before the engine moves on: the engine awaits each call.
 */
export interface RunObserver {
  stepStarted(step: StepRecord): Promise<void>;
  /** Called once a step reaches completed, failed, skipped or cancelled (after all its attempts). */
  stepFinished(step: StepRecord): Promise<void>;
  /** A retry is about to wait `delayMs` after a failed attempt. */
  stepRetrying?(step: StepRecord, error: RunError, delayMs: number): Promise<void>;
  log(line: LogLine): void;
}

/** A named target for http steps (wfd.yaml `connections`). */
export interface Connection {
  id: string;
  baseUrl: string;
  headers?: Record<string, string>;
}

/** Services available to step executors. */
export interface EngineServices {
  clock: Clock;
  logger: Logger;
  /** Directory of the workflow files; the default cwd of shell steps. */
  workflowsDir: string;
  secrets: Record<string, string>;
  env: Record<string, string>;
  /** Connections by name; each name has one or more targets, the first is the default. */
  connections: Record<string, Connection[]>;
  /** wfd.yaml `smtp:` for email steps; absent or null: email steps fail with INVALID_CONFIG. */
  smtp?: { url: string; from?: string } | null;
}

/** What an executor receives for one attempt of one step. */
export interface StepContext {
  runId: string;
  workflowId: string;
  step: Step;
  /** The step's config with every template rendered. */
  config: Record<string, unknown>;
  attempt: number;
  /** When this step first started, across restarts (durable sleeps resume from it). */
  firstStartedAt: number;
  /** The connection the run picked (`connectionId`), if any. */
  connectionId: string | null;
  signal: AbortSignal;
  services: EngineServices;
  log(stream: LogLine["stream"], line: string): void;
  /** The text with the secrets' values (and their encoded forms) replaced by `***`. */
  mask(text: string): string;
}

/** A step type: checks its rendered config and does the work. */
export interface StepExecutor {
  type: StepType;
  /**
   * The step acts on nothing outside its run and waits for nothing: executing it again gives the
   * same record. A run of only such steps may be executed before it is stored (RunExecutor.isPure).
   */
  pure?: boolean;
  execute(context: StepContext): Promise<unknown>;
}

/** Everything the engine needs to execute (or resume) one run. */
export interface RunRequest {
  runId: string;
  workflow: Workflow;
  versionId: string;
  input: unknown;
  trigger: RunTrigger;
  createdAt: string;
  connectionId?: string | null;
  /** Steps recorded before a restart; completed and skipped ones are not run again. */
  previousSteps?: StepRecord[];
  /** When the run first started, across restarts (the run timeout counts from it). */
  startedAt?: number;
  signal?: AbortSignal;
  observer?: RunObserver;
  /**
   * Return the outcome without waiting for the last step records to be saved; the outcome's
   * `persisted` settles when they are. The run service uses it to commit a run's end in the same
   * group commit as its last step (its store applies writes in call order). A step still never
   * starts before the steps it needs are saved.
   */
  overlapLastSave?: boolean;
}

/** The end state of a run as the engine computed it. */
export interface RunOutcome {
  status: Extract<RunStatus, "completed" | "failed" | "cancelled">;
  output: unknown;
  error: RunError | null;
  steps: StepRecord[];
  startedAt: string;
  completedAt: string;
  /** With `overlapLastSave`: settles when every step record is saved (rejects if one failed). */
  persisted?: Promise<void>;
}

/** Executes runs; implemented by the engine, used by the run service and `wfd run`. */
export interface RunExecutor {
  execute(request: RunRequest): Promise<RunOutcome>;
  /**
   * True when every step of `workflow` is pure and makes one attempt, so no step waits for a
   * retry delay: executing the whole run again gives the same result, and nothing is lost if it
   * is executed before it is stored.
   */
  isPure(workflow: Workflow): boolean;
}
