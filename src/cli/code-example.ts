/**
 * An example input for a workflow, built from its inputSchema, for the snippets of `wfd code`.
 * The aim is an input the workflow accepts as it is, so the snippet runs before anyone edits it.
 */

type Schema = Record<string, unknown>;

/** Deeper than this (a recursive `$ref`), a value is left null instead of recursing forever. */
const MAX_DEPTH = 12;

/**
 * A value for each string `format` ajv-formats checks, each accepted by it (a test checks every
 * one), so the example of a formatted string passes the schema.
 */
export const FORMAT_EXAMPLES: Record<string, string> = {
  date: "2026-01-15",
  time: "10:00:00Z",
  "date-time": "2026-01-15T10:00:00Z",
  "iso-time": "10:00:00Z",
  "iso-date-time": "2026-01-15T10:00:00Z",
  duration: "PT1H",
  uri: "https://example.com",
  "uri-reference": "https://example.com",
  "uri-template": "https://example.com/{id}",
  url: "https://example.com",
  email: "user@example.com",
  hostname: "example.com",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  regex: "^[a-z]+$",
  uuid: "123e4567-e89b-12d3-a456-426614174000",
  "json-pointer": "/items/0",
  "json-pointer-uri-fragment": "#/items/0",
  "relative-json-pointer": "0/items",
  byte: "aGVsbG8=",
  password: "secret",
  binary: "binary",
};

/**
 * An example value for a JSON Schema (draft-07, as wfd compiles inputSchemas). Per schema, in
 * order: its first `examples` entry, its `default`, `const`, first `enum` value, first `oneOf`/
 * `anyOf` branch, the merged `allOf` branches, else one built from its `type`. An object holds its
 * `required` properties; when it names none, all of its properties, so the example shows the
 * shape the workflow reads. An array holds one example item (or `minItems` of them). Strings
 * follow `format`, then a simple `pattern`, then `minLength`; numbers `minimum`/`maximum`/
 * `multipleOf`. Local `$ref`s (`#/definitions/...`) are followed. No schema gives `{}`.
 */
export function exampleInput(schema: Schema | undefined): unknown {
  if (!schema) return {};
  return exampleFor(schema, schema, 0);
}

function exampleFor(schema: unknown, root: Schema, depth: number): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return null;
  if (typeof schema.$ref === "string") return exampleFor(resolveRef(schema.$ref, root), root, depth + 1);
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ["oneOf", "anyOf"]) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) return exampleFor(branches[0], root, depth + 1);
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const { allOf, ...own } = schema;
    const parts = [own, ...(allOf as unknown[])];
    return mergeExamples(parts.map((part) => exampleFor(part, root, depth + 1)));
  }
  switch (typeOf(schema)) {
    case "object":
      return exampleObject(schema, root, depth);
    case "array":
      return exampleArray(schema, root, depth);
    case "string":
      return exampleString(schema);
    case "integer":
      return exampleNumber(schema, true);
    case "number":
      return exampleNumber(schema, false);
    case "boolean":
      return true;
    default:
      return null;
  }
}

/** A JSON object (a schema, or an object example), not an array or null. */
function isObject(value: unknown): value is Schema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `#/definitions/a/b` (or `#/$defs/...`) inside the same schema; anything else is unknown. */
function resolveRef(ref: string, root: Schema): unknown {
  if (!ref.startsWith("#")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    if (!isObject(node)) return undefined;
    node = node[decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return node;
}

/**
 * The parts of an allOf (the schema's own keywords and each branch) describe one value: object
 * examples are merged; otherwise the first part that gives a value wins.
 */
function mergeExamples(values: unknown[]): unknown {
  const given = values.filter((value) => value !== null);
  if (given.length > 0 && given.every(isObject)) return Object.assign({}, ...given);
  return given[0] ?? null;
}

/** The declared type (the first non-null one of a list), or the one its keywords imply. */
function typeOf(schema: Schema): string | undefined {
  const declared = Array.isArray(schema.type)
    ? (schema.type.find((type) => type !== "null") ?? schema.type[0])
    : schema.type;
  if (typeof declared === "string") return declared;
  if (isObject(schema.properties) || Array.isArray(schema.required)) return "object";
  if (schema.items !== undefined) return "array";
  return undefined;
}

function exampleObject(schema: Schema, root: Schema, depth: number): Record<string, unknown> {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const names = required.length > 0 ? required : Object.keys(properties);
  const result: Record<string, unknown> = {};
  for (const name of names) result[name] = exampleFor(properties[name] ?? {}, root, depth + 1);
  return result;
}

function exampleArray(schema: Schema, root: Schema, depth: number): unknown[] {
  // draft-07 tuples: `items` as a list gives one value per position.
  if (Array.isArray(schema.items)) return schema.items.map((item) => exampleFor(item, root, depth + 1));
  if (!isObject(schema.items)) return [];
  const count = Math.max(1, typeof schema.minItems === "number" ? schema.minItems : 0);
  const item = exampleFor(schema.items, root, depth + 1);
  return Array.from({ length: count }, () => structuredClone(item));
}

function exampleString(schema: Schema): string {
  const formatted = typeof schema.format === "string" ? FORMAT_EXAMPLES[schema.format] : undefined;
  if (formatted !== undefined) return formatted;
  if (typeof schema.pattern === "string") {
    const sample = samplePattern(schema.pattern);
    if (sample !== null) return sample;
  }
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Number.POSITIVE_INFINITY;
  return "string".padEnd(min, "x").slice(0, max);
}

function exampleNumber(schema: Schema, integer: boolean): number {
  const num = (key: string) => (typeof schema[key] === "number" ? (schema[key] as number) : undefined);
  const exclusiveMin = num("exclusiveMinimum");
  const exclusiveMax = num("exclusiveMaximum");
  let value = num("minimum") ?? (exclusiveMin !== undefined ? exclusiveMin + 1 : 1);
  const max = num("maximum") ?? (exclusiveMax !== undefined ? exclusiveMax - (integer ? 1 : 0.5) : undefined);
  if (max !== undefined && value > max) value = max;
  if (integer) value = Math.ceil(value);
  const step = num("multipleOf");
  if (step) value = Math.ceil(value / step) * step;
  return value;
}

/**
 * A string matching a simple regular expression (literals, escapes, classes, groups, alternatives,
 * quantifiers), e.g. `cus_a` for `^cus_[a-zA-Z0-9]+$`; null when the pattern uses more than that
 * or the sample does not match, so the caller falls back to a plain string.
 */
export function samplePattern(pattern: string): string | null {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "u");
  } catch {
    return null;
  }
  const sample = sampleSequence(pattern, { at: 0 });
  return sample !== null && regex.test(sample) ? sample : null;
}

const CLASS_ESCAPES: Record<string, string> = { d: "0", w: "a", s: " ", D: "a", W: "-", S: "a" };

/** Samples until the end of the pattern or of the enclosing group (`)`); takes the first `|` branch. */
function sampleSequence(pattern: string, cursor: { at: number }): string | null {
  let out = "";
  while (cursor.at < pattern.length) {
    const char = pattern[cursor.at] as string;
    if (char === ")") break;
    if (char === "|") return skipAlternatives(pattern, cursor) ? out : null;
    let atom: string | null;
    if (char === "^" || char === "$") {
      cursor.at++;
      continue;
    }
    if (char === "(") {
      cursor.at += pattern.startsWith("(?:", cursor.at) ? 3 : 1;
      if (pattern[cursor.at] === "?") return null; // lookarounds and named groups: not sampled
      atom = sampleSequence(pattern, cursor);
      if (pattern[cursor.at] !== ")") return null;
      cursor.at++;
    } else if (char === "[") {
      const end = pattern.indexOf("]", cursor.at + 2);
      const body = pattern.slice(cursor.at + 1, end);
      if (end < 0 || body.startsWith("^") || body.startsWith("\\")) return null;
      atom = body[0] as string;
      cursor.at = end + 1;
    } else if (char === "\\") {
      const next = pattern[cursor.at + 1] ?? "";
      atom = CLASS_ESCAPES[next] ?? (/[a-zA-Z0-9]/.test(next) ? null : next);
      cursor.at += 2;
    } else {
      atom = char === "." ? "a" : char;
      cursor.at++;
    }
    if (atom === null) return null;
    out += atom.repeat(readRepeat(pattern, cursor));
  }
  return out;
}

/** Moves past the remaining `|` branches up to the group's end; false if they are unbalanced. */
function skipAlternatives(pattern: string, cursor: { at: number }): boolean {
  let depth = 0;
  for (; cursor.at < pattern.length; cursor.at++) {
    const char = pattern[cursor.at];
    if (char === "\\") cursor.at++;
    else if (char === "(") depth++;
    else if (char === ")" && depth-- === 0) return true;
  }
  return depth === 0;
}

/** The fewest repetitions a quantifier allows (1 for none); `+` and `{n,m}` read as n. */
function readRepeat(pattern: string, cursor: { at: number }): number {
  const rest = pattern.slice(cursor.at);
  const braces = /^\{(\d+)(,\d*)?\}\??/.exec(rest);
  if (braces) {
    cursor.at += braces[0].length;
    return Number(braces[1]);
  }
  const quantifier = /^[*+?]\??/.exec(rest);
  if (!quantifier) return 1;
  cursor.at += quantifier[0].length;
  return quantifier[0][0] === "+" ? 1 : 0;
}
