import type * as v from "valibot";
import { type Document, isMap, isScalar, isSeq, type Node, Scalar, type ScalarTag } from "yaml";

/** The parts of a valibot schema needed to follow a path through it (valibot exposes them all). */
interface SchemaShape {
  type: string;
  entries?: Record<string, SchemaShape>;
  wrapped?: SchemaShape;
  item?: SchemaShape;
  value?: SchemaShape;
  options?: SchemaShape[];
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/** An unset `${VAR}` without a default, with the scalar that names it. */
export interface UnsetVariable {
  node: Scalar;
  message: string;
}

/**
 * Replaces every `${VAR}` and `${VAR:-default}` in the document's scalars, in place.
 * The result is text, except where a plain (unquoted) scalar is exactly one reference and the
 * schema takes only numbers or booleans there: then the text is read as YAML's core schema reads a
 * plain scalar, so `port: ${PORT}` is a number. Everywhere else (secrets, keys, URLs, durations) the
 * exact text is kept, so a secret of digits, `0x1F` or `true` is not turned into something else.
 */
export function interpolateEnv(
  doc: Document,
  schema: v.GenericSchema,
  environment: Record<string, string | undefined>,
): UnsetVariable[] {
  const unset: UnsetVariable[] = [];
  const substitute = (node: Scalar, typed: boolean) => {
    const text = node.value;
    if (typeof text !== "string" || !text.includes("${")) return;
    const replaced = text.replace(REFERENCE, (_match, name: string, fallback?: string) => {
      const value = environment[name] ?? fallback;
      if (value === undefined) unset.push({ node, message: `environment variable ${name} is not set` });
      return value ?? "";
    });
    const whole = node.type === Scalar.PLAIN && WHOLE_REFERENCE.test(text);
    node.value = typed && whole ? coreScalar(doc, replaced) : replaced;
  };
  const walk = (node: unknown, schemas: SchemaShape[]) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        // A key is always a name, never a number or boolean.
        if (isScalar(pair.key)) substitute(pair.key, false);
        walk(pair.value, childSchemas(schemas, keyOf(pair.key)));
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) walk(item, childSchemas(schemas, index));
    } else if (isScalar(node)) {
      substitute(
        node,
        schemas.length > 0 && schemas.every((s) => s.type === "number" || s.type === "boolean"),
      );
    }
  };
  walk(doc.contents, variants(schema as unknown as SchemaShape));
  return unset;
}

/** The value YAML's core schema gives a plain scalar written as `text` (number, boolean, null or text). */
function coreScalar(doc: Document, text: string): unknown {
  const tag = doc.schema.tags.find(
    (candidate): candidate is ScalarTag =>
      candidate.default === true && !candidate.collection && candidate.test?.test(text) === true,
  );
  if (!tag) return text;
  // Some tags (booleans) resolve to a Scalar node rather than a bare value.
  const value = tag.resolve(text, () => {}, doc.options);
  return isScalar(value) ? value.value : value;
}

/**
 * The keys of the object the schema expects at `path`, for suggesting the one a misspelt key meant.
 */
export function knownKeysAt(schema: v.GenericSchema, path: readonly (string | number)[]): string[] {
  let schemas = variants(schema as unknown as SchemaShape);
  for (const key of path) schemas = childSchemas(schemas, key);
  return schemas.flatMap((s) => Object.keys(s.entries ?? {}));
}

/**
 * The node at a valibot issue's path, or the deepest one of its ancestors that exists. With `atKey`
 * the key of the last step is returned (an unknown key is reported where it is written).
 */
export function nodeAt(doc: Document, path: readonly unknown[], atKey: boolean): Node | null {
  let node: unknown = doc.contents;
  let found = isNode(node) ? node : null;
  for (const [index, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((candidate) => keyOf(candidate.key) === String(key));
      if (atKey && index === path.length - 1 && isNode(pair?.key)) return pair.key;
      node = pair?.value;
    } else if (isSeq(node)) {
      node = node.items[Number(key)];
    } else {
      break;
    }
    if (!isNode(node)) break;
    found = node;
  }
  return found;
}

function isNode(value: unknown): value is Node {
  return isMap(value) || isSeq(value) || isScalar(value);
}

/** A mapping key as the JavaScript object from `toJS()` spells it. */
function keyOf(key: unknown): string {
  return String(isScalar(key) ? key.value : key);
}

/** The concrete schemas a value may match: optional and union wrappers removed. */
function variants(schema: SchemaShape): SchemaShape[] {
  if (schema.wrapped) return variants(schema.wrapped);
  if (schema.type === "union") return (schema.options ?? []).flatMap(variants);
  return [schema];
}

function childSchemas(schemas: SchemaShape[], key: string | number): SchemaShape[] {
  return schemas.flatMap((schema) => {
    if (schema.entries) return schema.entries[key] ? variants(schema.entries[key]) : [];
    if (schema.type === "record" && schema.value) return variants(schema.value);
    if (schema.type === "array" && schema.item) return variants(schema.item);
    return [];
  });
}
