import type { Delivery, DeliveryEvents, WebhookSubscription } from "../core/events.ts";
import type { Run } from "../core/run.ts";
import type { CreateRunRequest, CreateRunResponse, RunEvents } from "../core/runs.ts";
import type { RunStore } from "../core/store.ts";
import type { Clock } from "../lib/clock.ts";
import type { TypedEmitter } from "../lib/emitter.ts";
import type { Logger } from "../lib/logger.ts";
import type { RegistryEntry } from "../workflows/registry.ts";

/** An API key as the API sees it (the daemon's config shape, restated so api/ never imports daemon/). */
export interface ApiKey {
  name: string;
  /** `sha256:<hex>` of the key. */
  hash: string;
  scopes: string[];
  /** Glob allow-list of workflow ids (`orders-*`); absent means every workflow. */
  workflows?: string[];
  /** Requests per minute. */
  rateLimit: { execute: number; other: number };
}

/** The part of the run service the API uses. */
export interface RunsApi {
  readonly events: TypedEmitter<RunEvents>;
  create(request: CreateRunRequest): Promise<CreateRunResponse>;
  get(runId: string): Promise<Run>;
  cancel(runId: string): Promise<Run>;
  waitForFinish(runId: string, timeoutMs: number | null, signal?: AbortSignal): Promise<Run | null>;
}

/** The part of the store the API reads directly. */
export type RunsReadApi = Pick<
  RunStore,
  "listRuns" | "getLogs" | "listVersions" | "workflowStats" | "countRunsByStatus" | "commitStats"
>;

/** The part of the workflow registry the API uses. */
export interface WorkflowsApi {
  list(): RegistryEntry[];
  get(id: string): RegistryEntry | undefined;
  refreshFile(file: string): Promise<void>;
  removeFile(file: string): Promise<void>;
}

/** Webhook subscriptions as the API uses them (events/subscriptions.ts implements it). */
export interface WebhooksApi {
  list(): Promise<WebhookSubscription[]>;
  get(id: string): Promise<WebhookSubscription>;
  create(request: {
    url: string;
    events: WebhookSubscription["events"];
    secret?: string;
    description?: string;
  }): Promise<WebhookSubscription & { secret: string }>;
  delete(id: string): Promise<void>;
  deliveries(
    id: string,
    limit: number,
    cursor?: string,
  ): Promise<{ deliveries: Delivery[]; nextCursor: string | null }>;
}

/** What the HTTP app needs from the daemon; concrete parts are passed in, never imported. */
export interface AppDeps {
  logger: Logger;
  /** Named readiness checks, each true when satisfied. */
  readiness: () => Record<string, boolean>;
  /** The API proper; without it the app serves only health checks. */
  api?: ApiDeps;
}

export interface ApiDeps {
  runs: RunsApi;
  store: RunsReadApi;
  registry: WorkflowsApi;
  webhooks: WebhooksApi;
  /** Reports every webhook delivery attempt (for metrics). */
  deliveryEvents: TypedEmitter<DeliveryEvents>;
  /** Why a caller-supplied URL (a run's webhookUrl) may not be called, or null when it may. */
  outboundUrlProblem: (url: string) => Promise<string | null>;
  /**
   * Ids of every connection target in wfd.yaml `connections:`. A run's `connectionId` must be one:
   * an http step falls back to its connection's first target for an id it does not know, which
   * would send the request and its credentials somewhere the caller did not ask for.
   */
  connectionIds: ReadonlySet<string>;
  apiKeys: ApiKey[];
  clock: Clock;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Base URL of the public endpoint links; null uses the request's origin. */
  publicUrl: string | null;
  /** Absolute path of the workflows directory (workflow writes). */
  workflowsDir: string;
  /** False while shutting down: the API answers 503 UNAVAILABLE. */
  accepting: () => boolean;
}

/** Variables the middleware sets on the hono context. */
export type ApiEnv = {
  Variables: {
    requestId: string;
    apiKey: ApiKey;
    body: unknown;
  };
};
