import { formatProblem } from "../../src/core/workflow.ts";
import { parseWorkflowFile } from "../../src/workflows/parse.ts";

/** Every problem of a YAML text as `line:col: message` (the file name is left out). */
export function problemsOf(yaml: string | Uint8Array, file = "test.yaml"): string[] {
  return parseWorkflowFile(file, yaml).problems.map((problem) =>
    formatProblem(problem).slice(file.length + 1),
  );
}

/** The definition of a YAML text that must be valid; fails the test with its problems otherwise. */
export function definitionOf(yaml: string, file = "test.yaml") {
  const result = parseWorkflowFile(file, yaml);
  if (!result.version)
    throw new Error(`expected a valid workflow, got:\n${problemsOf(yaml, file).join("\n")}`);
  return result.version.definition;
}
