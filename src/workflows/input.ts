import type { ErrorObject, ValidateFunction } from "ajv";
import type { ErrorDetail } from "../core/errors.ts";
import type { WorkflowVersion } from "../core/workflow.ts";
import { compileInputSchema } from "./ajv.ts";

/** Validates the input of a run against its workflow's inputSchema. */
export interface InputValidator {
  /**
   * Returns the input with defaults applied and unknown fields stripped (where the schema has
   * additionalProperties: false), or every problem. The caller's value is never modified.
   */
  validate(input: unknown): { ok: true; value: unknown } | { ok: false; errors: ErrorDetail[] };
}

/** Compiled validators by versionId; the oldest are dropped so reloads cannot grow it forever. */
const validators = new Map<string, InputValidator>();
const MAX_CACHED = 1000;

const ACCEPT_ANY: InputValidator = {
  validate: (input) => ({ ok: true, value: input ?? {} }),
};

/**
 * Compiles a workflow's inputSchema once (cache by versionId). validate() applies defaults, strips
 * unknown fields where additionalProperties is false, and returns every error as {path, message}.
 * Without an inputSchema any input is accepted; an absent input (undefined or null) becomes `{}`,
 * also before validation, so required fields are reported as missing rather than "must be object".
 */
export function inputValidatorFor(version: WorkflowVersion): InputValidator {
  const schema = version.definition.inputSchema;
  if (!schema) return ACCEPT_ANY;
  const cached = validators.get(version.versionId);
  if (cached) return cached;
  const validator = schemaValidator(compileInputSchema(schema), mayWriteIntoData(schema));
  validators.set(version.versionId, validator);
  if (validators.size > MAX_CACHED) validators.delete(validators.keys().next().value as string);
  return validator;
}

/**
 * Whether Ajv may write into the data this schema validates: a `default` to fill in, or an
 * `additionalProperties` under which fields are stripped. Any key of that name anywhere counts,
 * so the answer errs towards yes.
 */
function mayWriteIntoData(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(mayWriteIntoData);
  if (schema === null || typeof schema !== "object") return false;
  return Object.entries(schema).some(
    ([key, value]) => key === "default" || key === "additionalProperties" || mayWriteIntoData(value),
  );
}

function schemaValidator(validate: ValidateFunction, writesIntoData: boolean): InputValidator {
  return {
    validate(input) {
      // Ajv writes defaults into the data and deletes stripped fields, so it works on a copy when
      // the schema has either; a copy per run showed up in the request path's profile.
      const given = input ?? {};
      const value = writesIntoData ? structuredClone(given) : given;
      if (validate(value)) return { ok: true, value };
      return { ok: false, errors: (validate.errors ?? []).map((error) => toDetail(error, value)) };
    },
  };
}

/** One Ajv error as a path into the input and a message for people. */
function toDetail(error: ErrorObject, data: unknown): ErrorDetail {
  const path = pointerToPath(error.instancePath, data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { path: [...path, String(params.missingProperty)], message: "is required" };
    case "additionalProperties":
      return { path: [...path, String(params.additionalProperty)], message: "is not allowed" };
    case "enum":
      return { path, message: `must be one of: ${(params.allowedValues as unknown[]).map(show).join(", ")}` };
    case "const":
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case "type":
      return { path, message: `must be ${String(params.type).split(",").map(withArticle).join(" or ")}` };
    case "format":
      return { path, message: `must be a valid ${String(params.format)}` };
    default:
      return { path, message: error.message ?? "is invalid" };
  }
}

/** `/items/0/price` -> ["items", 0, "price"]; indexes are numbers where the data holds an array. */
function pointerToPath(pointer: string, data: unknown): (string | number)[] {
  if (pointer === "") return [];
  const path: (string | number)[] = [];
  let current = data;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const key = Array.isArray(current) ? Number(segment) : segment;
    path.push(key);
    current =
      current !== null && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined;
  }
  return path;
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function withArticle(type: string): string {
  if (type === "null") return "null";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
