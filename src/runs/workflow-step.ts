import type { StepExecutor } from "../core/engine.ts";
import { StepError } from "../core/errors.ts";
import type { RunService } from "./service.ts";

/** Levels of runs started by workflow steps, the top run included: a workflow calling itself ends here. */
export const MAX_RUN_NESTING = 10;

/** How many runs deep `runId` is: 1 for a run no workflow step started. */
async function nestingLevel(runs: RunService, runId: string): Promise<number> {
  let level = 1;
  let run = await runs.get(runId);
  while (run.trigger.type === "workflow" && level <= MAX_RUN_NESTING) {
    run = await runs.get(run.trigger.parentRunId);
    level++;
  }
  return level;
}

/**
 * The `workflow` step type: starts a child run and waits for it; its output is the child's output.
 * The child is created with an idempotency key per parent run, step and attempt, so a parent that
 * resumes after a crash waits for the child it already started instead of starting another.
 */
export function createWorkflowStep(service: () => RunService): StepExecutor {
  return {
    type: "workflow",
    async execute(context) {
      const workflowId = context.config.workflow;
      if (typeof workflowId !== "string" || workflowId === "") {
        throw new StepError("INVALID_CONFIG", "workflow step: config.workflow must name a workflow", {
          retryable: false,
        });
      }
      const runs = service();
      if ((await nestingLevel(runs, context.runId)) >= MAX_RUN_NESTING) {
        throw new StepError(
          "STEP_FAILED",
          `workflow step: runs nest at most ${MAX_RUN_NESTING} levels deep; a run of ${workflowId} here would be level ${MAX_RUN_NESTING + 1} (does a workflow call itself?)`,
          { retryable: false },
        );
      }
      const { run } = await runs.create({
        workflowId,
        input: context.config.input ?? {},
        trigger: { type: "workflow", parentRunId: context.runId, parentStepId: context.step.id },
        idempotencyKey: `${context.runId}/${context.step.id}/${context.attempt}`,
      });
      if (!run) throw new StepError("INTERNAL_ERROR", "child run was not created");
      context.log("system", `started child run ${run.id} of workflow ${workflowId}`);
      const onAbort = () => void runs.cancel(run.id).catch(() => {});
      context.signal.addEventListener("abort", onAbort, { once: true });
      try {
        const finished = await runs.waitForChild(context.runId, run.id, context.signal);
        if (!finished) throw new StepError("CANCELLED", `child run ${run.id} was abandoned`);
        if (finished.status === "completed") return finished.output;
        throw new StepError(
          "STEP_FAILED",
          `child run ${run.id} ${finished.status}: ${finished.error?.message ?? ""}`,
        );
      } finally {
        context.signal.removeEventListener("abort", onAbort);
      }
    },
  };
}
