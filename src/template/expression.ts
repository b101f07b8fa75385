/**
 * The small, safe expression language of the `map` filter, parsed by jsep and compiled once into
 * closures. Per item, identifiers are the item's own properties; `item` is the item itself unless
 * the item has its own property called `item`. Allowed: literals, identifiers, member access on own
 * properties (`a.b`, `a[0]`, `a['b']`), unary `- + !`, binary `+ - * / %`, comparisons
 * (`==`/`!=` are strict, like `===`/`!==`), `&& || ??`, and `a ? b : c`. Everything else (calls,
 * `this`, array literals, `__proto__`/`constructor`/`prototype`, ...) is rejected when parsed.
 * `a-b` is a subtraction: a key with a hyphen is read as `item['first-name']`.
 */
import jsep from "jsep";
import { ExpressionError } from "./errors.ts";
import { TEMPLATE_LIMITS } from "./limits.ts";

/** Evaluates a compiled expression against one item of a collection. */
export type Evaluator = (item: unknown) => unknown;

const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);
const ITEM_NAME = "item";
const CACHE_SIZE = 1_000;

type Unary = (value: unknown) => unknown;
type Binary = (left: unknown, right: unknown) => unknown;

// The casts only satisfy the type checker: operands are JSON values and JavaScript's own coercion
// applies (`"a" + 1` is "a1"), as users of a JS-like syntax expect.
const UNARY: Record<string, Unary> = {
  "-": (v) => -(v as number),
  "+": (v) => +(v as number),
  "!": (v) => !v,
};

const BINARY: Record<string, Binary> = {
  "+": (a, b) => (a as number) + (b as number),
  "-": (a, b) => (a as number) - (b as number),
  "*": (a, b) => (a as number) * (b as number),
  "/": (a, b) => (a as number) / (b as number),
  "%": (a, b) => (a as number) % (b as number),
  "==": (a, b) => a === b,
  "===": (a, b) => a === b,
  "!=": (a, b) => a !== b,
  "!==": (a, b) => a !== b,
  "<": (a, b) => (a as number) < (b as number),
  "<=": (a, b) => (a as number) <= (b as number),
  ">": (a, b) => (a as number) > (b as number),
  ">=": (a, b) => (a as number) >= (b as number),
};

const NOT_ALLOWED: Record<string, string> = {
  CallExpression: "function calls are not allowed",
  ThisExpression: '"this" is not allowed (use "item")',
  ArrayExpression: "array literals are not allowed",
  Compound: "only one expression is allowed",
  SequenceExpression: "only one expression is allowed",
};

const cache = new Map<string, Evaluator>();

/**
 * Parses and checks `source` once and returns its evaluator (cached per expression text).
 * Throws ExpressionError naming the expression and the problem.
 */
export function compileExpression(source: string): Evaluator {
  const cached = cache.get(source);
  if (cached) return cached;
  const evaluator = build(parse(source), source);
  // Expressions can come from data (`map: input.expr`), so the cache is bounded.
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(source, evaluator);
  return evaluator;
}

function fail(source: string, problem: string): never {
  throw new ExpressionError(`map expression ${JSON.stringify(source)}: ${problem}`);
}

function parse(source: string): jsep.Expression {
  if (source.length > TEMPLATE_LIMITS.expressionLength) {
    fail(source.slice(0, 40), `is longer than ${TEMPLATE_LIMITS.expressionLength} characters`);
  }
  if (source.trim() === "") fail(source, "is empty");
  try {
    return jsep(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return fail(source, message.includes("call stack") ? "is nested too deeply" : message);
  }
}

function build(node: jsep.Expression, source: string): Evaluator {
  switch (node.type) {
    case "Literal":
      return constant((node as jsep.Literal).value, source);
    case "Identifier":
      return variable(checkName((node as jsep.Identifier).name, source));
    case "MemberExpression":
      return member(node as jsep.MemberExpression, source);
    case "UnaryExpression":
      return unary(node as jsep.UnaryExpression, source);
    case "BinaryExpression":
      return binary(node as jsep.BinaryExpression, source);
    case "ConditionalExpression":
      return conditional(node as jsep.ConditionalExpression, source);
    default:
      return fail(source, NOT_ALLOWED[node.type] ?? `${node.type} is not allowed`);
  }
}

function constant(value: unknown, source: string): Evaluator {
  if (value instanceof RegExp) fail(source, "regular expressions are not allowed");
  return () => value;
}

function checkName(name: string, source: string): string {
  if (FORBIDDEN_NAMES.has(name)) fail(source, `"${name}" is not allowed`);
  return name;
}

/** Own, non-function properties only: nothing reachable through a prototype. */
function readOwn(target: unknown, key: string | number): unknown {
  if (target === null || target === undefined) return undefined;
  if (typeof target !== "object" && typeof target !== "string") return undefined;
  // Object.hasOwn boxes strings, so `"abc".length` and `"abc"[0]` are own properties too.
  if (!Object.hasOwn(target as object, key)) return undefined;
  const value = (target as Record<string | number, unknown>)[key];
  return typeof value === "function" ? undefined : value;
}

function variable(name: string): Evaluator {
  if (name !== ITEM_NAME) return (item) => readOwn(item, name);
  return (item) =>
    item !== null && typeof item === "object" && Object.hasOwn(item, name) ? readOwn(item, name) : item;
}

function member(node: jsep.MemberExpression, source: string): Evaluator {
  const object = build(node.object, source);
  const property = node.property;
  if (!node.computed) {
    const name = checkName((property as jsep.Identifier).name, source);
    return (item) => readOwn(object(item), name);
  }
  if (property.type === "Literal") {
    const key = (property as jsep.Literal).value;
    if (typeof key !== "string" && typeof key !== "number")
      fail(source, "an index must be a string or a number");
    checkName(String(key), source);
    return (item) => readOwn(object(item), key);
  }
  const key = build(property, source);
  return (item) => readOwn(object(item), dynamicKey(key(item), source));
}

function dynamicKey(key: unknown, source: string): string | number {
  if (typeof key === "number") return key;
  if (typeof key !== "string") return fail(source, "an index must be a string or a number");
  return checkName(key, source);
}

function unary(node: jsep.UnaryExpression, source: string): Evaluator {
  const apply = UNARY[node.operator];
  if (!apply) return fail(source, `operator "${node.operator}" is not allowed`);
  const argument = build(node.argument, source);
  return (item) => apply(argument(item));
}

function binary(node: jsep.BinaryExpression, source: string): Evaluator {
  const left = build(node.left, source);
  const right = build(node.right, source);
  switch (node.operator) {
    case "&&":
      return (item) => left(item) && right(item);
    case "||":
      return (item) => left(item) || right(item);
    case "??":
      return (item) => left(item) ?? right(item);
  }
  const apply = BINARY[node.operator];
  if (!apply) return fail(source, `operator "${node.operator}" is not allowed`);
  return (item) => apply(left(item), right(item));
}

function conditional(node: jsep.ConditionalExpression, source: string): Evaluator {
  const test = build(node.test, source);
  const consequent = build(node.consequent, source);
  const alternate = build(node.alternate, source);
  return (item) => (test(item) ? consequent(item) : alternate(item));
}
