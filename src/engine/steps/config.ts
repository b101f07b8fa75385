import { StepError } from "../../core/errors.ts";

/** A config problem: retrying cannot fix it, so it is never retried. */
export function invalidConfig(message: string): StepError {
  return new StepError("INVALID_CONFIG", message, { retryable: false });
}

/** `config[key]` as a string, or undefined when absent (null counts as absent). */
export function optionalString(config: Record<string, unknown>, key: string): string | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string")
    throw invalidConfig(`config.${key} must be a string, got ${describe(value)}`);
  return value;
}

/** `config[key]` as a string; absent or empty is an error. */
export function requiredString(config: Record<string, unknown>, key: string): string {
  const value = optionalString(config, key);
  if (value === undefined || value === "") throw invalidConfig(`config.${key} is required`);
  return value;
}

/** `config[key]` as a map of strings (numbers and booleans are written out), or {} when absent. */
export function stringMap(config: Record<string, unknown>, key: string): Record<string, string> {
  const value = config[key];
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw invalidConfig(`config.${key} must be an object, got ${describe(value)}`);
  const out: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    if (typeof item === "object")
      throw invalidConfig(`config.${key}.${name} must be a string, got ${describe(item)}`);
    out[name] = String(item);
  }
  return out;
}

/** True for `{...}` values (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short description of a value's kind for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
