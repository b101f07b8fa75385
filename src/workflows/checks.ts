import { findTemplateErrors } from "../template/index.ts";
import { compileInputSchema } from "./ajv.ts";
import type { Reporter } from "./reporter.ts";
import { isMapping } from "./rules.ts";
import type { DataPath } from "./source-map.ts";
import { triggerEntries } from "./triggers.ts";

/** Reports an inputSchema that Ajv cannot compile, at the inputSchema node. */
export function checkInputSchema(schema: unknown, reporter: Reporter): void {
  if (!isMapping(schema)) return;
  try {
    compileInputSchema(schema);
  } catch (error) {
    reporter.value(["inputSchema"], `invalid JSON Schema: ${(error as Error).message}`);
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
      checkValue(step.if, ["steps", index, "if"], reporter);
    });
  }
  checkValue(workflow.output, ["output"], reporter);
  for (const { value, path } of triggerEntries(workflow.trigger)) {
    if (isMapping(value) && value.type === "schedule") checkValue(value.input, [...path, "input"], reporter);
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
