import type { ErrorDetail } from "./errors.ts";
import type { Run, RunTrigger, StepRecord } from "./run.ts";
import type { StoredVersion } from "./store.ts";

/** The workflows a run service may start: current versions by id, and any stored version. */
export interface WorkflowCatalog {
  /** The current version of a workflow; undefined when unknown or deleted. */
  current(id: string): StoredVersion | undefined;
  /** Any stored version (runs pinned to old versions resume with it). */
  version(workflowId: string, versionId: string): Promise<StoredVersion | null>;
  /** Validates input against the version's inputSchema: defaults applied, unknown fields stripped. */
  validateInput(
    version: StoredVersion,
    input: unknown,
  ): { ok: true; value: unknown } | { ok: false; errors: ErrorDetail[] };
}

/** A request to start a run (API, CLI, schedule, webhook, form, parent run). */
export interface CreateRunRequest {
  workflowId: string;
  input?: unknown;
  trigger: RunTrigger;
  idempotencyKey?: string | null;
  connectionId?: string | null;
  entityType?: string | null;
  entityId?: string | null;
  webhookUrl?: string | null;
  /** Lets drafts and disabled workflows run (`wfd run` on a laptop). */
  allowInactive?: boolean;
  /** A cron slot to claim atomically with the run; the run is not created when it is taken. */
  slot?: { triggerIndex: number; scheduledFor: string };
}

export type CreateRunResponse =
  | { run: Run; replayed: boolean }
  /** The cron slot was already claimed; nothing was created. */
  | { run: null; replayed: false };

/** Events of the run service, for the API, webhooks, metrics and tests. */
export type RunEvents = {
  "run:created": Run;
  "run:started": { runId: string; workflowId: string };
  "run:finished": Run;
  "step:started": { runId: string; step: StepRecord };
  "step:finished": { runId: string; step: StepRecord };
};
