import { defineMappingTag, defineScalarTag, FAILSAFE_SCHEMA, load, NOT_RESOLVED } from "js-yaml";
import { MAX_NESTING } from "./yaml-document.ts";

/**
 * The mapping of a workflow file read by js-yaml, or undefined when this file must be read by `yaml`.
 *
 * `yaml` is wfd's YAML parser: it keeps every node's position for problems reported at
 * file:line:col. It is also what makes a first start slow: about 1 ms per workflow file, against
 * 0.06-0.16 ms for js-yaml, which keeps no positions. A valid file needs no positions, so the loader
 * reads each file here first and goes to `yaml` only for what this reader cannot vouch for (the
 * answer is then undefined):
 * - YAML this reader might not read exactly as `yaml` does: directives (`%YAML 1.1` switches
 *   `yaml` to 1.1 scalars), tags, merge keys, aliases (`yaml` caps how far they expand), and the
 *   whitespace corners where fuzzing found the two apart (see NEEDS_YAML);
 * - anything js-yaml refuses: syntax errors, duplicate keys, collections as keys, several
 *   documents, an empty file, nesting deeper than MAX_NESTING (counting scalars, so a little less
 *   than `yaml`'s reader allows);
 * - a document that is not a mapping, which is not a workflow.
 *
 * Scalars resolve by `yaml`'s core schema (its regular expressions, in its order), and keys are
 * turned into strings as `yaml`'s toJS does (`~:` is the key ""). A test holds both readers to the
 * same data on every case where this one answers.
 */
export function readPlainMapping(text: string): Record<string, unknown> | undefined {
  if (NEEDS_YAML.test(text)) return undefined;
  let data: unknown;
  try {
    data = load(text, { schema: CORE_AS_YAML_READS_IT, maxAliases: 0, maxDepth: MAX_NESTING });
  } catch {
    return undefined;
  }
  return typeof data === "object" && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : undefined;
}

/**
 * What sends a file to `yaml` before js-yaml sees it: a directive at the start of a line; a tag
 * (`!` at the start of a token, but not the `!=` of an expression); a merge key; and the corners
 * where the two readers were found apart by fuzzing (test/workflows/fast-yaml.test.ts): a tab
 * anywhere (tabs in blank lines and around block scalars), an explicit block indentation (`|2`,
 * `>1-`), a line ending in a backslash before a blank line (an escaped line break in a
 * double-quoted string), and a carriage return that does not start a CRLF. A false alarm costs
 * only the slower parse. Aliases need no test here: js-yaml is told to refuse them.
 */
const NEEDS_YAML = /^%|(?:^|[\s[{,])!(?!=)|<<|\\\r?\n[ \t]*\r?$|\t|\r(?!\n)|[|>][-+]?[1-9]/m;

type ScalarRule = { test: RegExp; value: (source: string) => unknown };

const DIGITS = [..."0123456789"];

/** The core schema's scalars, exactly as `yaml` (v2) resolves them: its expressions, in its order. */
const scalarTags = [
  scalarTag("null", ["", "~", "n", "N"], [{ test: /^(?:~|[Nn]ull|NULL)?$/, value: () => null }]),
  scalarTag(
    "bool",
    ["t", "T", "f", "F"],
    [{ test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, value: (s) => s[0] === "t" || s[0] === "T" }],
  ),
  scalarTag(
    "int",
    ["-", "+", ...DIGITS],
    [
      { test: /^0o[0-7]+$/, value: (s) => Number.parseInt(s.slice(2), 8) },
      { test: /^[-+]?[0-9]+$/, value: (s) => Number.parseInt(s, 10) },
      { test: /^0x[0-9a-fA-F]+$/, value: (s) => Number.parseInt(s.slice(2), 16) },
    ],
  ),
  scalarTag(
    "float",
    ["-", "+", ".", ...DIGITS],
    [
      {
        test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
        value: (s) =>
          s.slice(-3).toLowerCase() === "nan" ? Number.NaN : s[0] === "-" ? -Infinity : Infinity,
      },
      { test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, value: Number.parseFloat },
      { test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, value: Number.parseFloat },
    ],
  ),
];

function scalarTag(name: string, firstChars: string[], rules: ScalarRule[]) {
  return defineScalarTag(`tag:yaml.org,2002:${name}`, {
    implicit: true,
    implicitFirstChars: firstChars,
    resolve: (source) => {
      for (const rule of rules) if (rule.test.test(source)) return rule.value(source);
      return NOT_RESOLVED;
    },
    identify: () => false,
  });
}

/** `yaml`'s toJS key: null is "", other scalars their String; a collection key is refused. */
function keyOf(key: unknown): string | undefined {
  if (key === null) return "";
  return typeof key === "object" ? undefined : String(key);
}

const mappingTag = defineMappingTag<Record<string, unknown>>("tag:yaml.org,2002:map", {
  create: () => ({}),
  identify: () => false,
  addPair: (mapping, key, value) => {
    const name = keyOf(key);
    if (name === undefined) return "a collection as a mapping key";
    // Assigning to __proto__ would set the prototype; yaml keeps it as a key.
    if (name === "__proto__") {
      Object.defineProperty(mapping, name, { value, enumerable: true, configurable: true, writable: true });
    } else mapping[name] = value;
    return "";
  },
  has: (mapping, key) => {
    const name = keyOf(key);
    return name !== undefined && Object.hasOwn(mapping, name);
  },
  keys: (mapping) => Object.keys(mapping),
  get: (mapping, key) => {
    const name = keyOf(key);
    return name !== undefined && Object.hasOwn(mapping, name) ? mapping[name] : null;
  },
});

const CORE_AS_YAML_READS_IT = FAILSAFE_SCHEMA.withTags(...scalarTags, mappingTag);
