/**
 * Templates (DESIGN §4): Liquid over the run's context, with typed single expressions and a safe
 * `map: 'expr'` filter. Compile once with compileValue/compileCondition, render many times.
 */
export { compileCondition, compileValue, findTemplateErrors, isTemplate } from "./compile.ts";
export { TemplateError } from "./errors.ts";
export { TEMPLATE_LIMITS } from "./limits.ts";
export type { CompiledCondition, CompiledValue, TemplateContext } from "./types.ts";
