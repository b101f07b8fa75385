/**
 * Deepest nesting of objects and arrays a JSON value may have (`{}` is 1 level, `{"a": []}` 2):
 * the store, ajv, templates and YAML all recurse, and far deeper values exhaust their stacks.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * True when `value` nests objects and arrays more than `max` levels deep. It descends at most
 * `max + 1` levels, so a value far deeper than that cannot exhaust the stack here.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== "object") return false;
  if (max === 0) return true;
  if (Array.isArray(value)) return value.some((item) => nestedDeeperThan(item, max - 1));
  for (const key in value) {
    if (nestedDeeperThan((value as Record<string, unknown>)[key], max - 1)) return true;
  }
  return false;
}
