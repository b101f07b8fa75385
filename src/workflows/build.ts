import { NO_RETRY, type RetryPolicy, type Step, type Trigger, type Workflow } from "../core/workflow.ts";
import { resolveNeeds } from "./graph.ts";
import type { StepInput, WorkflowInput } from "./schema.ts";

/**
 * Builds the Workflow the engine runs from a file that passed every check: `needs` and `retry`
 * resolved, durations already in milliseconds, optional fields left out when not given.
 */
export function buildWorkflow(input: WorkflowInput, id: string, triggers: Trigger[], file: string): Workflow {
  const workflow: Workflow = {
    id,
    name: input.name,
    status: input.status,
    triggers,
    onRestart: input.onRestart,
    steps: input.steps.map((step, index) => buildStep(step, input.steps[index - 1]?.id, input.retry)),
    file,
  };
  if (input.description !== undefined) workflow.description = input.description;
  if (input.inputSchema !== undefined) workflow.inputSchema = input.inputSchema;
  if (input.concurrency !== undefined) workflow.concurrency = input.concurrency;
  if (input.timeout !== undefined) workflow.timeoutMs = input.timeout;
  if (input.output !== undefined) workflow.output = input.output;
  return workflow;
}

function buildStep(step: StepInput, previousId: string | undefined, workflowRetry?: RetryPolicy): Step {
  const built: Step = {
    id: step.id,
    type: step.type,
    needs: resolveNeeds(step.needs, previousId),
    retry: step.retry ?? workflowRetry ?? NO_RETRY,
    continueOnError: step.continueOnError,
    config: step.config ?? {},
  };
  if (step.name !== undefined) built.name = step.name;
  if (step.if !== undefined) built.if = step.if;
  if (step.timeout !== undefined) built.timeoutMs = step.timeout;
  if (step.connection !== undefined) built.connection = step.connection;
  return built;
}
