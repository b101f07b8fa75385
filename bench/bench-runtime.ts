/**
 * A run service on a real store and the real engine, outside the daemon: the in-process micro
 * benchmarks (bench/run-service.ts, bench/completing.ts) measure it without HTTP.
 */
import { join } from "node:path";
import type { WorkflowCatalog } from "../src/core/runs.ts";
import { createEngine } from "../src/engine/runner.ts";
import { createStepRegistry } from "../src/engine/steps/index.ts";
import { systemClock } from "../src/lib/clock.ts";
import { silentLogger } from "../src/lib/logger.ts";
import { RunService } from "../src/runs/service.ts";
import { openSqliteStore, type SqliteStore, type SynchronousMode } from "../src/store/index.ts";
import { inputValidatorFor } from "../src/workflows/input.ts";
import { parseWorkflowFile } from "../src/workflows/parse.ts";

/** Opens `<dir>/wfd.db`, stores the one workflow `yaml` (file `<workflowId>.yaml`) and builds the run service. */
export async function benchRuntime(
  dir: string,
  workflowId: string,
  yaml: string,
  store: { synchronous?: SynchronousMode; groupCommit?: boolean } = {},
): Promise<{ store: SqliteStore; runs: RunService }> {
  const opened = openSqliteStore({ path: join(dir, "wfd.db"), ...store });
  const parsed = parseWorkflowFile(`${workflowId}.yaml`, yaml);
  if (!parsed.version) throw new Error("bench workflow is invalid");
  const version = await opened.saveVersion(parsed.version, new Date().toISOString());
  const catalog: WorkflowCatalog = {
    current: () => version,
    version: async () => version,
    validateInput: (v, input) => inputValidatorFor(v).validate(input),
  };
  const services = {
    clock: systemClock,
    logger: silentLogger,
    workflowsDir: dir,
    secrets: {},
    env: {},
    connections: {},
  };
  const executor = createEngine({ registry: createStepRegistry(), services });
  const runs = new RunService({
    store: opened,
    catalog,
    executor,
    concurrency: 64,
    idempotencyTtlMs: 86_400_000,
  });
  return { store: opened, runs };
}
