/**
 * Workflow definitions (DESIGN §3): YAML files parsed into validated Workflow versions, with
 * every problem located as file:line:col, a directory loader, and run input validation.
 */
export { type InputValidator, inputValidatorFor } from "./input.ts";
export { type LoadResult, loadWorkflowDir } from "./loader.ts";
export { type ParseResult, parseWorkflowFile } from "./parse.ts";
export { HTTP_METHODS } from "./step-config.ts";
export { FORM_FIELD_TYPES, TRIGGER_TYPES } from "./triggers.ts";
