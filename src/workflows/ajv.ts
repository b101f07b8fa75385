import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

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
const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  removeAdditional: true,
  strict: false,
  strictSchema: true,
  logger: false,
});
addFormats(ajv);

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
