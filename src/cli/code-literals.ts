/**
 * JSON values written as source literals of the languages `wfd code` targets, with every string
 * escaped for that language, so an example input can be pasted and edited as native code.
 */

/** How one language spells a JSON value. */
interface LiteralSyntax {
  indent: string;
  string(value: string): string;
  number(value: number): string;
  true: string;
  false: string;
  null: string;
  /** Opening and closing of a list; the opening of a map may depend on its keys (PHP). */
  list: [string, string];
  map(keys: string[]): [string, string];
  /** Spelling of a map with no entries (PHP's `[]` would encode as a JSON list). */
  emptyMap: string;
  pair(key: string, value: string): string;
}

/**
 * Double-quoted strings whose escapes mean the same in JSON, Python and Go: JSON.stringify emits
 * only \" \\ \b \f \n \r \t and \uXXXX, which both read alike; everything else stays literal,
 * so `$`, `{` and non-ASCII text are written as they are.
 */
const doubleQuoted = (value: string) => JSON.stringify(value);

const PYTHON: LiteralSyntax = {
  indent: "    ",
  string: doubleQuoted,
  number: String,
  true: "True",
  false: "False",
  null: "None",
  list: ["[", "]"],
  map: () => ["{", "}"],
  emptyMap: "{}",
  pair: (key, value) => `${key}: ${value}`,
};

/** An array key PHP turns into an integer, after which json_encode may print a list. */
const PHP_INTEGER_KEY = /^(0|-?[1-9][0-9]{0,17})$/;

const PHP: LiteralSyntax = {
  indent: "    ",
  // Single quotes: only \\ and \' are escapes, and `$` is never interpolated.
  string: (value) => `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`,
  number: String,
  true: "true",
  false: "false",
  null: "null",
  list: ["[", "]"],
  map: (keys) => [keys.some((key) => PHP_INTEGER_KEY.test(key)) ? "(object) [" : "[", "]"],
  emptyMap: "new \\stdClass()",
  pair: (key, value) => `${key} => ${value}`,
};

const GO: LiteralSyntax = {
  indent: "\t",
  string: doubleQuoted,
  // An integer beyond int64 does not compile as an untyped constant in `any`; a float does.
  number: (value) =>
    Number.isInteger(value) && !Number.isSafeInteger(value) ? value.toExponential() : String(value),
  true: "true",
  false: "false",
  null: "nil",
  list: ["[]any{", "}"],
  map: () => ["map[string]any{", "}"],
  emptyMap: "map[string]any{}",
  pair: (key, value) => `${key}: ${value}`,
};

const SYNTAX = { python: PYTHON, php: PHP, go: GO } as const;

/** Languages whose literals this module writes (JavaScript and curl use JSON itself). */
export type LiteralLanguage = keyof typeof SYNTAX;

/**
 * The value as a literal of the language, one entry per line with trailing commas (which all three
 * allow, and Go requires), continuation lines indented from `depth`.
 */
export function literal(value: unknown, language: LiteralLanguage, depth = 0): string {
  return write(value, SYNTAX[language], depth);
}

function write(value: unknown, syntax: LiteralSyntax, depth: number): string {
  if (value === null || value === undefined) return syntax.null;
  if (typeof value === "boolean") return value ? syntax.true : syntax.false;
  if (typeof value === "number") return syntax.number(value);
  if (typeof value === "string") return syntax.string(value);
  const inner = syntax.indent.repeat(depth + 1);
  const close = syntax.indent.repeat(depth);
  if (Array.isArray(value)) {
    const [open, end] = syntax.list;
    if (value.length === 0) return `${open}${end}`;
    const items = value.map((item) => `${inner}${write(item, syntax, depth + 1)},\n`);
    return `${open}\n${items.join("")}${close}${end}`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return syntax.emptyMap;
  const [open, end] = syntax.map(entries.map(([key]) => key));
  const pairs = entries.map(
    ([key, item]) => `${inner}${syntax.pair(syntax.string(key), write(item, syntax, depth + 1))},\n`,
  );
  return `${open}\n${pairs.join("")}${close}${end}`;
}
