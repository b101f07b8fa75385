import type { Step } from "../core/workflow.ts";

/** The dependency graph of a workflow's steps, checked to be runnable. */
export interface Plan {
  /** Steps in file order. */
  steps: Step[];
  /** For each step id, the ids of the steps that need it. */
  dependents: Map<string, string[]>;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; message: string };

/**
 * Builds the dependency graph of `steps`. The workflow validator already rejects unknown needs and
 * cycles; this check is the engine's own guard so that a bad definition fails the run with a clear
 * message instead of leaving it waiting forever.
 */
export function buildPlan(steps: Step[]): PlanResult {
  const ids = new Set<string>();
  for (const step of steps) {
    if (ids.has(step.id)) return { ok: false, message: `step id "${step.id}" is used twice` };
    ids.add(step.id);
  }
  const dependents = new Map<string, string[]>(steps.map((step) => [step.id, []]));
  for (const step of steps) {
    for (const need of new Set(step.needs)) {
      const list = dependents.get(need);
      if (!list) return { ok: false, message: `step "${step.id}" needs unknown step "${need}"` };
      list.push(step.id);
    }
  }
  const cycle = findStepsInCycles(steps, dependents);
  if (cycle.length > 0) {
    return {
      ok: false,
      message: `steps ${cycle.map((id) => `"${id}"`).join(", ")} depend on each other in a cycle`,
    };
  }
  return { ok: true, plan: { steps, dependents } };
}

/** Kahn's algorithm: whatever cannot be ordered is on (or behind) a cycle. */
function findStepsInCycles(steps: Step[], dependents: Map<string, string[]>): string[] {
  const waiting = new Map(steps.map((step) => [step.id, new Set(step.needs).size]));
  const ready = steps.filter((step) => waiting.get(step.id) === 0).map((step) => step.id);
  while (ready.length > 0) {
    const id = ready.pop() as string;
    waiting.delete(id);
    for (const dependent of dependents.get(id) ?? []) {
      const left = (waiting.get(dependent) ?? 0) - 1;
      waiting.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  return [...waiting.keys()];
}
