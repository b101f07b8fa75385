import type { Step, Workflow } from "../core/workflow.ts";
import { compileCondition, compileValue, type TemplateContext } from "../template/index.ts";
import { buildPlan, type PlanResult } from "./plan.ts";

/** Renders a compiled template over a context; throws when the template is broken. */
export type Render<T> = (context: TemplateContext) => T;

/** A step with its templates compiled. */
export interface PreparedStep {
  step: Step;
  condition: Render<boolean> | null;
  config: Render<unknown>;
}

/** A workflow version made ready to run: its plan and every template compiled once. */
export interface PreparedWorkflow {
  plan: PlanResult;
  steps: Map<string, PreparedStep>;
  output: Render<unknown> | null;
}

/**
 * Compiled workflows by version id. A version's content never changes, so its templates are
 * compiled once and shared by all its runs; the least recently used versions are dropped first.
 */
export class PreparedWorkflowCache {
  private readonly entries = new Map<string, PreparedWorkflow>();

  constructor(private readonly limit = 1000) {}

  /** The prepared form of `workflow`, compiled on first use of `versionId`. */
  get(versionId: string, workflow: Workflow): PreparedWorkflow {
    const cached = this.entries.get(versionId);
    if (cached) {
      // Re-insert so the Map's insertion order doubles as recency order.
      this.entries.delete(versionId);
      this.entries.set(versionId, cached);
      return cached;
    }
    const prepared = prepareWorkflow(workflow);
    this.entries.set(versionId, prepared);
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return prepared;
  }
}

/** Compiles every template of a workflow; a broken template fails only when it is used. */
export function prepareWorkflow(workflow: Workflow): PreparedWorkflow {
  const steps = new Map<string, PreparedStep>();
  for (const step of workflow.steps) {
    steps.set(step.id, {
      step,
      condition: step.if === undefined ? null : prepareCondition(step.if),
      config: prepareValue(step.config),
    });
  }
  return {
    plan: buildPlan(workflow.steps),
    steps,
    output: workflow.output === undefined ? null : prepareValue(workflow.output),
  };
}

function prepareValue(value: unknown): Render<unknown> {
  try {
    const compiled = compileValue(value);
    return (context) => compiled.render(context);
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

function prepareCondition(source: string): Render<boolean> {
  try {
    const compiled = compileCondition(source);
    return (context) => compiled.evaluate(context);
  } catch (error) {
    return () => {
      throw error;
    };
  }
}
