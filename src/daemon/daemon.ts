import type { Server } from "bun";
import { type ApiKey, createApp } from "../api/app.ts";
import { loadOrCreateDefaultKeys } from "../api/keys.ts";
import { formatProblem } from "../core/workflow.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import { WorkflowWatcher } from "../workflows/watcher.ts";
import type { Config } from "./config.ts";
import { createEventParts, type EventParts } from "./events.ts";
import { acquireDataDirLock } from "./lock.ts";
import { ensureDataDir, openServices, type Services } from "./services.ts";

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Overrides config.server (tests use port 0). */
  host?: string;
  port?: number;
  leaseMs?: number;
}

/** Shows a secret to the operator once; stderr, never the JSON log. */
function printToStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * `wfd serve`: the store, the workflow registry and watcher, webhook delivery, the run service,
 * maintenance and the HTTP server. Started in that order and stopped in reverse.
 */
export class Daemon {
  private services?: Services;
  private watcher?: WorkflowWatcher;
  private eventParts?: EventParts;
  private server?: Server<unknown>;
  private releaseLock?: () => void;
  private accepting = false;
  private stopped?: Promise<void>;

  constructor(private readonly options: DaemonOptions) {}

  /** The port the HTTP server listens on (useful with port 0). */
  get port(): number {
    return this.server?.port ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The running services, for tests and the API. */
  get parts(): Services {
    if (!this.services) throw new Error("daemon is not started");
    return this.services;
  }

  /** Answers a request as the HTTP server does, without a socket (in-process benchmarks). */
  async fetch(request: Request): Promise<Response> {
    if (!this.server) throw new Error("daemon is not started");
    return this.server.fetch(request);
  }

  /** Webhook subscriptions and delivery, for tests that await deliveries. */
  get webhooks(): EventParts {
    if (!this.eventParts) throw new Error("daemon is not started");
    return this.eventParts;
  }

  async start(): Promise<void> {
    const { config, logger } = this.options;
    ensureDataDir(config.dataDir);
    this.releaseLock = acquireDataDirLock(config.dataDir);
    let apiKeys: ApiKey[];
    try {
      // Read (or create) the keys before anything is opened, so a bad keys file leaves nothing open.
      apiKeys = config.apiKeys.length
        ? config.apiKeys
        : loadOrCreateDefaultKeys(config.dataDir, logger, printToStderr);
      this.services = openServices(config, {
        logger,
        notifyEvents: true,
        ...(this.options.clock ? { clock: this.options.clock } : {}),
        ...(this.options.leaseMs ? { leaseMs: this.options.leaseMs } : {}),
      });
    } catch (error) {
      this.releaseLock();
      throw error;
    }
    try {
      this.eventParts = createEventParts(this.services, printToStderr);
    } catch (error) {
      await this.services.store.close();
      this.releaseLock();
      throw error;
    }
    try {
      await this.startParts(apiKeys);
    } catch (error) {
      // Nothing may go on half-started (firing schedules, holding the data directory's lock).
      await this.stop();
      throw error;
    }
    this.accepting = true;
    const host = this.options.host ?? config.server.host;
    logger.info("wfd is listening", { url: `http://${host}:${this.port}` });
  }

  /**
   * Binds the port first, so a port in use fails the start before any run or schedule starts;
   * until start() ends, the API answers 503 and /readyz is not ready.
   */
  private async startParts(apiKeys: ApiKey[]): Promise<void> {
    const { config, logger } = this.options;
    const { registry, runs, maintenance, scheduler } = this.parts;
    this.server = this.listen(apiKeys);
    // Watch before loading: an edit made while the files are read is then seen by the watcher and
    // re-read after the load (the registry runs its operations in order), never lost.
    this.watcher = new WorkflowWatcher({ registry, dir: config.workflowsDir, logger });
    await this.watcher.start();
    const { problems } = await registry.loadAll();
    for (const problem of problems) logger.warn("invalid workflow file", { problem: formatProblem(problem) });
    logger.info("workflows loaded", { count: registry.list().length, dir: config.workflowsDir });
    await this.eventParts?.start();
    await runs.start();
    await scheduler.start();
    maintenance.start();
  }

  /** During a stop: interrupts running steps now rather than at the end of the grace period. */
  interruptNow(): void {
    this.services?.runs.interruptNow();
  }

  /** Stops accepting, lets running steps finish for the grace period, then stops everything. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    const { logger, config } = this.options;
    const services = this.services;
    if (!services) return;
    this.accepting = false;
    logger.info("shutting down", { gracePeriodMs: config.shutdownGraceMs });
    // No slot fires from here on, and the run service refuses new runs from this moment;
    // running steps get the grace period.
    const schedulerStopped = services.scheduler.stop();
    const runsStopped = services.runs.stop(config.shutdownGraceMs);
    await schedulerStopped;
    await this.watcher?.stop();
    await runsStopped;
    await services.email.close();
    await this.eventParts?.stop();
    await services.maintenance.stop();
    await this.server?.stop(true);
    await services.store.close();
    this.releaseLock?.();
    logger.info("stopped");
  }

  private listen(apiKeys: ApiKey[]): Server<unknown> {
    const { config, logger } = this.options;
    const { registry, runs, store, clock } = this.parts;
    const app = createApp({
      logger,
      readiness: () => ({
        accepting: this.accepting,
        store: this.services !== undefined,
        workflows: registry.ready,
      }),
      api: {
        runs,
        store,
        registry,
        webhooks: (this.eventParts as EventParts).subscriptions,
        deliveryEvents: (this.eventParts as EventParts).worker.events,
        outboundUrlProblem: (this.eventParts as EventParts).urlProblem,
        connectionIds: new Set(
          Object.values(config.connections).flatMap((targets) => targets.map((target) => target.id)),
        ),
        apiKeys,
        clock,
        bodyLimit: config.server.bodyLimit,
        publicUrl: config.server.publicUrl,
        workflowsDir: config.workflowsDir,
        accepting: () => this.accepting,
      },
    });
    return Bun.serve({
      hostname: this.options.host ?? config.server.host,
      port: this.options.port ?? config.server.port,
      fetch: app.fetch,
      maxRequestBodySize: Math.max(config.server.bodyLimit * 2, 1024 * 1024),
    });
  }
}
