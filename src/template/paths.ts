import { type Output, type PropertyAccessToken, type Token, TokenKind } from "liquidjs";

/** A path of fixed keys: `steps.calculate-total.output.total` or `input.items[0].price`. */
export type PlainPath = readonly (string | number)[];

/** Liquid keys with a meaning of their own (`items.size`): they take the general path. */
const SPECIAL_KEYS = new Set(["size", "first", "last"]);

/**
 * The path of an output that only reads one: `{{ a.b[0]['c d'] }}`, with no filter, operator,
 * variable key or special key. Undefined for anything else.
 */
export function plainPathOf(output: Output): PlainPath | undefined {
  if (output.value.filters.length > 0) return undefined;
  const postfix = output.value.initial.postfix;
  const only = postfix[0];
  if (postfix.length !== 1 || only?.kind !== TokenKind.PropertyAccess) return undefined;
  const access = only as PropertyAccessToken;
  if (access.variable) return undefined;
  const path: (string | number)[] = [];
  for (const prop of access.props) {
    const key = fixedKey(prop);
    if (key === undefined || SPECIAL_KEYS.has(String(key))) return undefined;
    path.push(key);
  }
  return path;
}

function fixedKey(token: Token): string | number | undefined {
  const { kind } = token;
  if (kind !== TokenKind.Word && kind !== TokenKind.Number && kind !== TokenKind.Quoted) return undefined;
  const content = (token as Token & { content: unknown }).content;
  if (typeof content === "number") return Number.isInteger(content) && content >= 0 ? content : undefined;
  return typeof content === "string" ? content : undefined;
}

/** What readPlainPath answers when only Liquid itself can tell (a value that is not plain data). */
export const NOT_PLAIN = Symbol("not plain data");

/**
 * Reads `path` from plain JSON-like data as Liquid does with `ownPropertyOnly` (own properties
 * only; a missing key is undefined), or NOT_PLAIN when a value on the way is anything but a plain
 * object, an array or null, where Liquid's own rules (drops, functions, strings) apply.
 */
export function readPlainPath(data: unknown, path: PlainPath): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || value === undefined) return value;
    if (typeof value !== "object") return NOT_PLAIN;
    if (Array.isArray(value)) {
      if (typeof key !== "number") return NOT_PLAIN;
      value = key < value.length ? value[key] : undefined;
      continue;
    }
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return NOT_PLAIN;
    value = Object.hasOwn(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  return typeof value === "function" ? NOT_PLAIN : value;
}
