import { WORKFLOW_ID_PATTERN } from "../core/workflow.ts";
import type { Reporter } from "./reporter.ts";
import { isMapping } from "./rules.ts";
import { didYouMean } from "./suggest.ts";

/** A step with a usable id, and the needs it gives (undefined: the default, the step before). */
interface StepNode {
  index: number;
  id: string;
  needs: string[] | undefined;
  /** `needs: a` rather than `needs: [a]`: problems then point at the string itself. */
  needsIsText: boolean;
  /** The id was used by an earlier step: its needs are checked, but it is no node of the graph. */
  duplicate: boolean;
}

const MAX_NAMES_SHOWN = 12;

/** Explicit `needs` as a list, or undefined when not given (or not a string / list of strings). */
function explicitNeeds(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
  return undefined;
}

/**
 * Resolves `needs` the way the engine runs it: the given list, or else the step before in the
 * file (nothing for the first step). Duplicates are dropped.
 */
export function resolveNeeds(needs: string | string[] | undefined, previousId: string | undefined): string[] {
  if (needs === undefined) return previousId === undefined ? [] : [previousId];
  return [...new Set(typeof needs === "string" ? [needs] : needs)];
}

/**
 * Checks the dependency graph of the steps: duplicate step ids, `needs` naming an unknown step
 * or the step itself, and dependency cycles (each reported once, naming the steps in it).
 */
export function checkStepGraph(steps: unknown, reporter: Reporter): void {
  if (!Array.isArray(steps)) return;
  const nodes = collectNodes(steps, reporter);
  const unique = nodes.filter((node) => !node.duplicate);
  const ids = new Map(unique.map((node) => [node.id, node]));
  for (const node of nodes) checkNeeds(node, ids, reporter);
  findCycles(unique, ids, reporter);
}

function collectNodes(steps: unknown[], reporter: Reporter): StepNode[] {
  const nodes: StepNode[] = [];
  const firstIndex = new Map<string, number>();
  steps.forEach((step, index) => {
    if (!isMapping(step) || typeof step.id !== "string" || !WORKFLOW_ID_PATTERN.test(step.id)) return;
    const first = firstIndex.get(step.id);
    if (first !== undefined) {
      const line = reporter.position(["steps", first, "id"]).line;
      reporter.value(["steps", index, "id"], `duplicate step id "${step.id}" (first used on line ${line})`);
    } else firstIndex.set(step.id, index);
    nodes.push({
      index,
      id: step.id,
      needs: explicitNeeds(step.needs),
      needsIsText: typeof step.needs === "string",
      duplicate: first !== undefined,
    });
  });
  return nodes;
}

function checkNeeds(node: StepNode, ids: Map<string, StepNode>, reporter: Reporter): void {
  node.needs?.forEach((need, position) => {
    const path = node.needsIsText ? ["steps", node.index, "needs"] : ["steps", node.index, "needs", position];
    if (need === node.id) reporter.value(path, "a step cannot need itself");
    else if (!ids.has(need)) {
      reporter.value(path, `unknown step "${need}"${didYouMean(need, [...ids.keys()])}`);
    }
  });
}

/** The dependencies the engine will follow: explicit or default, without unknown ids and self-references. */
function edges(nodes: StepNode[], ids: Map<string, StepNode>): Map<string, string[]> {
  const result = new Map<string, string[]>();
  nodes.forEach((node, position) => {
    const needs = node.needs ?? (position > 0 ? [(nodes[position - 1] as StepNode).id] : []);
    result.set(
      node.id,
      needs.filter((need) => need !== node.id && ids.has(need)),
    );
  });
  return result;
}

/** Depth-first search without recursion, so a file with thousands of chained steps cannot overflow the stack. */
function findCycles(nodes: StepNode[], ids: Map<string, StepNode>, reporter: Reporter): void {
  const graph = edges(nodes, ids);
  const state = new Map<string, "visiting" | "done">();
  const inReportedCycle = new Set<string>();
  for (const root of nodes) {
    if (state.has(root.id)) continue;
    const path: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    state.set(root.id, "visiting");
    while (path.length > 0) {
      const top = path[path.length - 1] as { id: string; next: number };
      const need = graph.get(top.id)?.[top.next++];
      if (need === undefined) {
        state.set(top.id, "done");
        path.pop();
      } else if (state.get(need) === "visiting") {
        const cycle = path.slice(path.findIndex((entry) => entry.id === need)).map((entry) => entry.id);
        if (!cycle.some((member) => inReportedCycle.has(member))) {
          for (const member of cycle) inReportedCycle.add(member);
          reportCycle(cycle, ids, reporter);
        }
      } else if (!state.has(need)) {
        state.set(need, "visiting");
        path.push({ id: need, next: 0 });
      }
    }
  }
}

function reportCycle(cycle: string[], ids: Map<string, StepNode>, reporter: Reporter): void {
  // Start the cycle at the step that comes first in the file, so the message reads predictably.
  const indexes = cycle.map((id) => (ids.get(id) as StepNode).index);
  const start = indexes.indexOf(indexes.reduce((low, index) => Math.min(low, index)));
  const ordered = [...cycle.slice(start), ...cycle.slice(0, start)];
  const first = ids.get(ordered[0] as string) as StepNode;
  const path = first.needs ? ["steps", first.index, "needs"] : ["steps", first.index, "id"];
  const names = [...ordered, ordered[0]];
  // A cycle through hundreds of steps would make an unreadable line: keep both ends.
  const shown = names.length > MAX_NAMES_SHOWN ? [...names.slice(0, 5), "...", ...names.slice(-3)] : names;
  const size = names.length > MAX_NAMES_SHOWN ? `, ${ordered.length} steps` : "";
  reporter.key(path, `dependency cycle: ${shown.join(" -> ")} (each step needs the next${size})`);
}
