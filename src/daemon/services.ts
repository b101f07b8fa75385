import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { RunExecutor } from "../core/engine.ts";
import type { WorkflowCatalog } from "../core/runs.ts";
import { createEngine } from "../engine/runner.ts";
import { createEmailExecutor, type EmailExecutor } from "../engine/steps/email.ts";
import { createStepRegistry } from "../engine/steps/index.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import { Maintenance } from "../runs/maintenance.ts";
import { RunService } from "../runs/service.ts";
import { createWorkflowStep } from "../runs/workflow-step.ts";
import { Scheduler } from "../scheduler/scheduler.ts";
import { openSqliteStore, type SqliteStore } from "../store/index.ts";
import { inputValidatorFor } from "../workflows/input.ts";
import { WorkflowRegistry } from "../workflows/registry.ts";
import type { Config } from "./config.ts";

/** The parts shared by `wfd serve` and `wfd run`, wired together. */
export interface Services {
  config: Config;
  logger: Logger;
  clock: Clock;
  store: SqliteStore;
  registry: WorkflowRegistry;
  runs: RunService;
  maintenance: Maintenance;
  /** Built for every caller, started only by `wfd serve`. */
  scheduler: Scheduler;
  /** The email step type: `close()` its pooled SMTP connections once runs have stopped. */
  email: EmailExecutor;
}

export interface ServiceOptions {
  logger: Logger;
  /** Put finished runs' events in the webhook outbox (`wfd serve`). */
  notifyEvents?: boolean;
  clock?: Clock;
  leaseMs?: number;
}

/**
 * Opens the store in the data directory and builds the workflow registry, the engine and the run
 * service. Throws a clear Error when the data directory cannot be used.
 */
export function openServices(config: Config, options: ServiceOptions): Services {
  const clock = options.clock ?? systemClock;
  const { logger } = options;
  ensureDataDir(config.dataDir);
  const store = openSqliteStore({
    path: join(config.dataDir, "wfd.db"),
    synchronous: config.store.synchronous,
    groupCommit: config.store.groupCommit,
    clock,
  });
  const registry = new WorkflowRegistry({ dir: config.workflowsDir, store, clock, logger });
  const catalog = catalogOf(registry);
  let runs: RunService | undefined;
  const email = createEmailExecutor();
  const executor: RunExecutor = createEngine({
    registry: withWorkflowStep(() => runs as RunService, email),
    services: {
      clock,
      logger,
      workflowsDir: config.workflowsDir,
      secrets: config.secrets,
      env: config.env,
      connections: config.connections,
      smtp: config.smtp,
    },
  });
  runs = new RunService({
    store,
    catalog,
    executor,
    clock,
    logger,
    concurrency: config.concurrency,
    idempotencyTtlMs: config.idempotencyTtlMs,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    notifyEvents: options.notifyEvents ?? false,
  });
  const maintenance = new Maintenance({
    store,
    events: store.events,
    retentionMs: config.retentionMs,
    clock,
    logger,
  });
  const scheduler = new Scheduler({
    registry,
    runs,
    store,
    clock,
    logger,
    secrets: config.secrets,
    env: config.env,
  });
  return { config, logger, clock, store, registry, runs, maintenance, scheduler, email };
}

/** Creates the data directory if needed; a clear Error when it cannot be. */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new Error(`cannot create data directory ${dataDir}: ${(error as Error).message}`);
  }
}

function withWorkflowStep(service: () => RunService, email: EmailExecutor) {
  const registry = createStepRegistry({ email });
  registry.register(createWorkflowStep(service));
  return registry;
}

function catalogOf(registry: WorkflowRegistry): WorkflowCatalog {
  return {
    current: (id) => registry.get(id)?.version,
    version: (workflowId, versionId) => registry.getVersion(workflowId, versionId),
    validateInput: (version, input) => inputValidatorFor(version).validate(input),
  };
}
