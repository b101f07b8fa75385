import { type Output, type PropertyAccessToken, type Token, TokenKind } from "liquidjs";
import { liquid } from "./liquid.ts";

/** A path of fixed keys: `steps.calculate-total.output.total` or `input.items[0].price`. */
export type PlainPath = readonly (string | number)[];

/** Liquid keys with a meaning of their own (`items.size`): they take the general path. */
const SPECIAL_KEYS = new Set(["size", "first", "last"]);

/**
 * Liquid's math filters, which compute from their arguments alone and never read the render
 * context (`this`), so they can be called outside Liquid's evaluator with the same result.
 */
const PURE_FILTERS = new Set([
  "abs",
  "at_least",
  "at_most",
  "ceil",
  "divided_by",
  "floor",
  "minus",
  "modulo",
  "plus",
  "round",
  "times",
]);

/** A filter argument: a literal, or a plain path read from the data. */
type PlainArgument = { literal: unknown } | { path: PlainPath };

/** One pure filter with its positional arguments. */
interface PlainFilter {
  handler: (...args: unknown[]) => unknown;
  args: readonly PlainArgument[];
}

/** An output that reads one plain path and passes it through pure filters only (often none). */
export interface PlainOutput {
  path: PlainPath;
  filters: readonly PlainFilter[];
}

/**
 * The plain form of an output that reads one path, `{{ a.b[0]['c d'] }}`, optionally followed by
 * math filters whose arguments are number or quoted literals or plain paths (`| times: 1.08`).
 * Undefined for anything else: other filters, operators, variable or special keys, named arguments.
 */
export function plainOutputOf(output: Output): PlainOutput | undefined {
  const path = plainPathOfTokens(output.value.initial.postfix);
  if (!path) return undefined;
  const filters: PlainFilter[] = [];
  for (const filter of output.value.filters) {
    const handler = liquid.filters[filter.name];
    if (!PURE_FILTERS.has(filter.name) || typeof handler !== "function") return undefined;
    const args = filter.args.map(plainArgument);
    if (args.some((arg) => arg === undefined)) return undefined;
    filters.push({ handler, args: args as PlainArgument[] });
  }
  return { path, filters };
}

function plainPathOfTokens(postfix: readonly Token[]): PlainPath | undefined {
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

function plainArgument(arg: unknown): PlainArgument | undefined {
  if (Array.isArray(arg)) return undefined; // a named argument: [name, value]
  const token = arg as Token & { content?: unknown };
  if (token.kind === TokenKind.Number || token.kind === TokenKind.Quoted) return { literal: token.content };
  const path = plainPathOfTokens([token]);
  return path ? { path } : undefined;
}

/**
 * The value of a plain output over plain data, as Liquid computes it, or NOT_PLAIN when a value on
 * the way (the path or a path argument) is not plain data.
 */
export function readPlainOutput(data: unknown, output: PlainOutput): unknown {
  let value = readPlainPath(data, output.path);
  if (value === NOT_PLAIN) return value;
  for (const filter of output.filters) {
    const args: unknown[] = [value];
    for (const arg of filter.args) {
      const argValue = "literal" in arg ? arg.literal : readPlainPath(data, arg.path);
      if (argValue === NOT_PLAIN) return NOT_PLAIN;
      args.push(argValue);
    }
    value = filter.handler(...args);
  }
  return value;
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
