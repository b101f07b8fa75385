import { compileCondition, findTemplateErrors, isTemplate } from "../template/index.ts";
import type { Reporter } from "./reporter.ts";
import { isMapping } from "./rules.ts";
import { inputSchemaProblems } from "./schema-problems.ts";
import type { DataPath } from "./source-map.ts";
import { triggerEntries } from "./triggers.ts";

/** Reports every problem Ajv has with the inputSchema, each at the node it is about. */
export function checkInputSchema(schema: unknown, reporter: Reporter): void {
  if (!isMapping(schema)) return;
  for (const problem of inputSchemaProblems(schema)) {
    const path = ["inputSchema", ...problem.path];
    if (problem.kind === "unknown") reporter.unknownKey(path, problem.known);
    else if (problem.kind === "key") reporter.key(path, `${reporter.label(path)}: ${problem.message}`);
    else reporter.value(path, problem.message);
  }
}

/**
 * Checks the syntax of every template: strings in step `config` and `if`, the workflow `output`
 * and schedule trigger `input`. Each error is reported at the string that holds it.
 */
export function checkTemplates(workflow: Record<string, unknown>, reporter: Reporter): void {
  if (Array.isArray(workflow.steps)) {
    workflow.steps.forEach((step, index) => {
      if (!isMapping(step)) return;
      checkValue(step.config, ["steps", index, "config"], reporter);
      checkCondition(step.if, ["steps", index, "if"], reporter);
    });
  }
  checkValue(workflow.output, ["output"], reporter);
  for (const { value, path } of triggerEntries(workflow.trigger)) {
    if (isMapping(value) && value.type === "schedule") checkValue(value.input, [...path, "input"], reporter);
  }
}

/** YAML 1.1 booleans, which YAML 1.2 (what wfd reads) keeps as text. */
const YAML_11_BOOLEANS = /^(?:y|yes|n|no|on|off)$/i;

/**
 * An `if` with markup is a template; one without is a constant that the run accepts only as true or
 * false, so it is compiled here as the run compiles it and refused with the run's own message.
 */
function checkCondition(value: unknown, path: DataPath, reporter: Reporter): void {
  if (typeof value !== "string" || isTemplate(value)) {
    checkValue(value, path, reporter);
    return;
  }
  try {
    compileCondition(value);
  } catch (error) {
    const text = value.trim();
    const hint = YAML_11_BOOLEANS.test(text) ? ` (YAML 1.2 reads ${text} as text: write true or false)` : "";
    reporter.value(path, `${(error as Error).message}${hint}`);
  }
}

function checkValue(value: unknown, path: DataPath, reporter: Reporter): void {
  if (typeof value === "string") {
    for (const error of findTemplateErrors(value)) reporter.value(path, error);
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) checkValue(item, [...path, index], reporter);
  } else if (isMapping(value)) {
    for (const [key, item] of Object.entries(value)) checkValue(item, [...path, key], reporter);
  }
}
