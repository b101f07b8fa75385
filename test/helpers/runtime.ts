import type { WorkflowCatalog } from "../../src/core/runs.ts";
import type { StoredVersion } from "../../src/core/store.ts";
import { formatProblem } from "../../src/core/workflow.ts";
import { createEngine } from "../../src/engine/runner.ts";
import { createStepRegistry } from "../../src/engine/steps/index.ts";
import { type Clock, systemClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { RunService, type RunServiceOptions } from "../../src/runs/service.ts";
import { createWorkflowStep } from "../../src/runs/workflow-step.ts";
import { openSqliteStore, type SqliteStore } from "../../src/store/index.ts";
import { inputValidatorFor } from "../../src/workflows/input.ts";
import { parseWorkflowFile } from "../../src/workflows/parse.ts";

/** A catalog over YAML texts, saved into the store like the registry does. */
export class TestCatalog implements WorkflowCatalog {
  private currentById = new Map<string, StoredVersion>();

  constructor(private readonly store: SqliteStore) {}

  /** Parses and records a workflow file; throws on any problem. */
  async define(file: string, yaml: string): Promise<StoredVersion> {
    const { version, problems } = parseWorkflowFile(file, yaml);
    if (!version) throw new Error(problems.map(formatProblem).join("\n"));
    const stored = await this.store.saveVersion(version, new Date().toISOString());
    this.currentById.set(stored.workflowId, stored);
    return stored;
  }

  current(id: string) {
    return this.currentById.get(id);
  }

  version(workflowId: string, versionId: string) {
    return this.store.getVersion(workflowId, versionId);
  }

  validateInput(version: StoredVersion, input: unknown) {
    return inputValidatorFor(version).validate(input);
  }
}

export interface Runtime {
  store: SqliteStore;
  catalog: TestCatalog;
  runs: RunService;
}

/** A run service over a real store and the real engine. */
export function createRuntime(
  options: { path?: string; clock?: Clock; workflowsDir?: string } & Partial<RunServiceOptions> = {},
): Runtime {
  const store = openSqliteStore({
    path: options.path ?? ":memory:",
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const catalog = new TestCatalog(store);
  const registry = createStepRegistry();
  const runtime = {} as Runtime;
  registry.register(createWorkflowStep(() => runtime.runs));
  const executor = createEngine({
    registry,
    services: {
      clock: options.clock ?? systemClock,
      logger: silentLogger,
      workflowsDir: options.workflowsDir ?? process.cwd(),
      secrets: { API_TOKEN: "tok_secret_value" },
      env: {},
      connections: {},
    },
  });
  const runs = new RunService({
    store,
    catalog,
    executor,
    concurrency: options.concurrency ?? 8,
    idempotencyTtlMs: 86_400_000,
    logger: silentLogger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.owner ? { owner: options.owner } : {}),
  });
  Object.assign(runtime, { store, catalog, runs });
  return runtime;
}
