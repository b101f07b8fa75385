import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import validateAgainstMetaSchema from "./json-schema-meta.generated.js";

/*
 * One Ajv instance for every workflow's inputSchema (DESIGN §2). Options:
 * - allErrors: report every invalid field at once, not only the first.
 * - useDefaults: fill `default` values into the input.
 * - removeAdditional: true strips unknown fields only where a schema says additionalProperties: false.
 * - strict: false turns off Ajv's opinionated checks (strictTypes, strictTuples, strictRequired), which
 *   reject valid JSON Schema; strictSchema stays on so a misspelt keyword (`minimun`), an unknown
 *   `format`, or a `default` Ajv would ignore is reported when the file is loaded instead of silently
 *   validating nothing. The price: custom keywords (`x-order`) are rejected too.
 * - logger: false, so nothing is printed behind the caller's back.
 */
export const AJV_OPTIONS: Options = {
  allErrors: true,
  useDefaults: true,
  removeAdditional: true,
  strict: false,
  strictSchema: true,
  logger: false,
};

/**
 * Schemas are checked against the draft-07 meta-schema by a validator Ajv generated ahead of time
 * (json-schema-meta.generated.js, from these options; a test keeps it current), because compiling
 * the meta-schema costs 40-55 ms at the first schema of every process, a fifth of `wfd run`.
 */
const ajv = new Ajv({ ...AJV_OPTIONS, validateSchema: false });
addFormats(ajv);

/** The meta-schema ids Ajv knows, as `$schema` may name them. */
const DRAFT_07 = new Set([
  "http://json-schema.org/draft-07/schema",
  "http://json-schema.org/draft-07/schema#",
]);

/** The keywords Ajv knows (any other is an unknown keyword in strict mode) and the formats it checks. */
export const KNOWN_KEYWORDS: readonly string[] = Object.keys(ajv.RULES.keywords);
export const KNOWN_FORMATS: readonly string[] = Object.keys(ajv.formats);

/** What is wrong with `$schema`, which may only name draft-07, or null when it is fine or absent. */
export function declaredSchemaProblem(schema: Record<string, unknown>): string | null {
  const declared = schema.$schema;
  if (declared !== undefined && typeof declared !== "string") return "$schema must be a string";
  if (declared !== undefined && !DRAFT_07.has(declared)) return `no schema with key or ref "${declared}"`;
  return null;
}

/** Every error of `schema` against the draft-07 meta-schema (Ajv's allErrors), [] when it passes. */
export function metaSchemaErrors(schema: Record<string, unknown>): ErrorObject[] {
  return validateAgainstMetaSchema(schema) ? [] : [...(validateAgainstMetaSchema.errors ?? [])];
}

/** What Ajv's own validateSchema does before a compile, with the same errors. */
function assertValidSchema(schema: Record<string, unknown>): void {
  const declared = declaredSchemaProblem(schema);
  if (declared) throw new Error(declared);
  const errors = metaSchemaErrors(schema);
  if (errors.length > 0) throw new Error(`schema is invalid: ${ajv.errorsText(errors)}`);
}

/**
 * Compiled validators by schema text. Compiling is the slowest part of loading a file (about 0.3 ms),
 * and a reload usually keeps the schema while steps change, so the same text is compiled once.
 * Bounded: the least recently used entries go first.
 */
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 500;

/** Compiles a JSON Schema; throws an Error with Ajv's message when it is invalid. */
export function compileInputSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = compiled.get(key);
  if (cached) {
    compiled.delete(key);
    compiled.set(key, cached);
    return cached;
  }
  try {
    assertValidSchema(schema);
    const validate = ajv.compile(schema);
    compiled.set(key, validate);
    if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
    return validate;
  } finally {
    // The compiled function stays usable; dropping the schema from Ajv's registry keeps memory flat
    // across reloads and lets the next version of a file reuse its `$id`.
    ajv.removeSchema(schema);
  }
}
