import { type ErrorObject, MissingRefError } from "ajv";
import {
  compileInputSchema,
  declaredSchemaProblem,
  KNOWN_FORMATS,
  KNOWN_KEYWORDS,
  metaSchemaErrors,
} from "./ajv.ts";
import { isMapping } from "./rules.ts";
import type { DataPath } from "./source-map.ts";
import { didYouMean } from "./suggest.ts";

/**
 * One problem of an inputSchema, at a path inside the schema: a value that is wrong, a key that is
 * wrong (a bad regular expression as a patternProperties name), or an unknown keyword (reported
 * like any unknown key, with the keywords Ajv knows to suggest from).
 */
export type SchemaProblem =
  | { kind: "value" | "key"; path: DataPath; message: string }
  | { kind: "unknown"; path: DataPath; known: readonly string[] };

/*
 * Where draft-07 keeps subschemas, as Ajv's own traversal (json-schema-traverse) lists them: the
 * walk below visits exactly the places where Ajv's strict mode looks for unknown keywords.
 */
const SCHEMA_KEYWORDS = new Set([
  "additionalItems",
  "additionalProperties",
  "contains",
  "else",
  "if",
  "items",
  "not",
  "propertyNames",
  "then",
]);
const SCHEMA_LIST_KEYWORDS = new Set(["allOf", "anyOf", "items", "oneOf"]);
const SCHEMA_MAP_KEYWORDS = new Set([
  "$defs",
  "definitions",
  "dependencies",
  "patternProperties",
  "properties",
]);

const KEYWORDS = new Set(KNOWN_KEYWORDS);
const FORMATS = new Set(KNOWN_FORMATS);

/**
 * Every problem Ajv has with an inputSchema, each at its own node. Ajv stops compiling at the first
 * one, so they are gathered in three passes: the draft-07 meta-schema (every error, with where it
 * is); a walk of the subschemas for what strict mode and compiling refuse (unknown keywords, unknown
 * formats, patterns that are not regular expressions); and a compile of the schema without those,
 * for references that do not resolve and anything else Ajv refuses.
 */
export function inputSchemaProblems(schema: Record<string, unknown>): SchemaProblem[] {
  const declared = declaredSchemaProblem(schema);
  if (declared) return [{ kind: "value", path: ["$schema"], message: declared }];
  const meta = metaProblems(schema, metaSchemaErrors(schema));
  const walked: SchemaProblem[] = [];
  const refs: DataPath[] = [];
  walk(schema, [], walked, refs);
  // Ajv compiles only what the meta-schema accepts, and stops at what the walk found.
  if (meta.length > 0) return [...meta, ...walked];
  const rest = walked.length > 0 ? without(schema, pathsOf(walked)) : schema;
  return [...walked, ...compileProblems(rest, refs)];
}

/**
 * The meta-schema's errors, one problem per place. Where a value may take one of several shapes
 * (anyOf: `type` is a name or a list of names), the failed alternatives read as one message, and
 * not at all when errors inside the value show which shape was meant (`type: [strin]`).
 */
function metaProblems(schema: Record<string, unknown>, errors: ErrorObject[]): SchemaProblem[] {
  const byPlace = new Map<string, ErrorObject[]>();
  for (const error of errors)
    byPlace.set(error.instancePath, [...(byPlace.get(error.instancePath) ?? []), error]);
  const problems: SchemaProblem[] = [];
  for (const [pointer, group] of byPlace) {
    const alternatives = group.some((error) => error.keyword === "anyOf");
    if (alternatives && errors.some((error) => error.instancePath.startsWith(`${pointer}/`))) continue;
    const messages = group.filter((error) => error.keyword !== "anyOf").map(describeError);
    const message = [...new Set(messages)].join(alternatives ? " or " : ", ");
    problems.push({ kind: "value", path: pathOf(schema, pointer), message });
  }
  return problems;
}

/** Ajv's message, with the allowed values of an enum and `object or boolean` for `object,boolean`. */
function describeError(error: ErrorObject): string {
  const params = error.params as { allowedValues?: unknown[]; type?: string | string[] };
  if (error.keyword === "enum" && params.allowedValues) {
    return `${error.message} (${params.allowedValues.join(", ")})`;
  }
  if (error.keyword === "type" && params.type)
    return `must be ${String(params.type).split(",").join(" or ")}`;
  return String(error.message);
}

/** A JSON pointer into the schema as a data path: list indexes as numbers, as the source map reads them. */
function pathOf(schema: unknown, pointer: string): DataPath {
  const path: (string | number)[] = [];
  let node = schema;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const key = Array.isArray(node) ? Number(segment) : segment;
    path.push(key);
    node = (node as Record<string | number, unknown> | undefined)?.[key];
  }
  return path;
}

/** Checks one subschema and those inside it; `refs` collects the paths of every `$ref`. */
function walk(schema: unknown, path: DataPath, problems: SchemaProblem[], refs: DataPath[]): void {
  if (!isMapping(schema)) return;
  for (const [keyword, value] of Object.entries(schema)) {
    const at = [...path, keyword];
    if (!KEYWORDS.has(keyword)) {
      problems.push({ kind: "unknown", path: at, known: KNOWN_KEYWORDS });
      continue;
    }
    if (keyword === "$ref" && typeof value === "string") refs.push(at);
    if (keyword === "format" && typeof value === "string" && !FORMATS.has(value)) {
      problems.push({
        kind: "value",
        path: at,
        message: `unknown format "${value}"${didYouMean(value, KNOWN_FORMATS)}`,
      });
    }
    if (keyword === "pattern" && typeof value === "string") checkPattern(value, at, "value", problems);
    if (keyword === "patternProperties" && isMapping(value)) {
      for (const pattern of Object.keys(value)) checkPattern(pattern, [...at, pattern], "key", problems);
    }
    if (SCHEMA_KEYWORDS.has(keyword)) walk(value, at, problems, refs);
    if (SCHEMA_LIST_KEYWORDS.has(keyword) && Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, [...at, index], problems, refs);
    }
    if (SCHEMA_MAP_KEYWORDS.has(keyword) && isMapping(value)) {
      for (const [name, item] of Object.entries(value)) walk(item, [...at, name], problems, refs);
    }
  }
}

/** Ajv compiles every pattern as a Unicode regular expression (its `unicodeRegExp` default). */
function checkPattern(
  pattern: string,
  path: DataPath,
  kind: "value" | "key",
  problems: SchemaProblem[],
): void {
  try {
    new RegExp(pattern, "u");
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: /, "");
    problems.push({
      kind,
      path,
      message: `invalid regular expression ${JSON.stringify(pattern)}: ${reason}`,
    });
  }
}

/**
 * Compiles the schema; a reference that does not resolve is found again with every other `$ref`
 * left out, so each bad one is reported at its own node. Any other refusal is reported at the
 * schema itself, in Ajv's words.
 */
function compileProblems(schema: Record<string, unknown>, refs: DataPath[]): SchemaProblem[] {
  const error = compileError(schema);
  if (!error) return [];
  const unresolved: SchemaProblem[] = [];
  if (error instanceof MissingRefError) {
    for (const ref of refs) {
      const others = refs.filter((other) => other !== ref);
      const alone = compileError(without(schema, others));
      if (alone instanceof MissingRefError)
        unresolved.push({ kind: "value", path: ref, message: alone.message });
    }
  }
  const rest = unresolved.length > 0 ? compileError(without(schema, pathsOf(unresolved))) : error;
  if (rest) unresolved.push({ kind: "value", path: [], message: `invalid JSON Schema: ${rest.message}` });
  return unresolved;
}

function compileError(schema: Record<string, unknown>): Error | undefined {
  try {
    compileInputSchema(schema);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

function pathsOf(problems: SchemaProblem[]): DataPath[] {
  return problems.map((problem) => problem.path);
}

/** A copy of the schema with the keys at `paths` left out. */
function without(schema: Record<string, unknown>, paths: DataPath[]): Record<string, unknown> {
  const copy = structuredClone(schema);
  for (const path of paths) {
    let parent: unknown = copy;
    for (const segment of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)?.[segment];
    if (isMapping(parent)) delete parent[path[path.length - 1] as string];
  }
  return copy;
}
