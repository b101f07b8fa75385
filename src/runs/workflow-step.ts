import type { StepExecutor } from "../core/engine.ts";
import { StepError } from "../core/errors.ts";
import type { RunService } from "./service.ts";

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
        const finished = await runs.waitForFinish(run.id, null, context.signal);
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
