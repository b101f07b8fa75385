import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { readPlainMapping } from "../../src/workflows/fast-yaml.ts";
import { parseWorkflowFile } from "../../src/workflows/index.ts";

const ROOT = join(import.meta.dir, "../..");

/** What wfd's full parse makes of a text (as parse.ts calls `yaml`), or "error". */
function fullRead(text: string): unknown {
  try {
    return parse(text, { uniqueKeys: true, merge: true, prettyErrors: false, logLevel: "silent" });
  } catch {
    return "error";
  }
}

/** The fast reader answers a text only with what the full parse gives; returns whether it answered. */
function expectSameOrNoAnswer(text: string): boolean {
  const fast = readPlainMapping(text);
  if (fast === undefined) return false;
  expect({ text, data: fast as unknown }).toEqual({ text, data: fullRead(text) });
  return true;
}

const SCALARS = [
  "017",
  "0o17",
  "0o19",
  "0x1F",
  "0X1F",
  "0x",
  "-0x1F",
  "+0o7",
  "-017",
  "08",
  "00",
  "0",
  "-0",
  "+1",
  "1_000",
  "0b101",
  "12345678901234567890",
  "9007199254740993",
  "0x8000000000000000",
  ".inf",
  "-.Inf",
  "+.inf",
  ".NaN",
  ".nan",
  ".NAN",
  "1e3",
  "1E3",
  "1e+3",
  "1.5e-3",
  "1e400",
  "-1e400",
  "0.",
  "-0.0",
  ".5",
  "+.5",
  "-.5e2",
  "1.0",
  "3.14_15",
  "1.2.3",
  "1e",
  ".",
  "+",
  "-",
  "yes",
  "no",
  "on",
  "True",
  "TRUE",
  "tRUE",
  "FALSE",
  "~",
  "null",
  "Null",
  "nULL",
  "",
  "2020-01-01",
  "2020-01-01T10:00:00Z",
  "1:20",
  "1:20:30",
  "=",
  "1,000",
];

const DOCUMENTS = [
  ...SCALARS.map((scalar) => `a: ${scalar}`),
  ...SCALARS.map((scalar) => `${scalar || "''"}: key`),
  ...SCALARS.map((scalar) => `l:\n- ${scalar}\n- [${scalar}]\n- {k: ${scalar}}`),
  "a: 1\na: 2",
  "a: {x: 1, x: 2}",
  "1: a\n'1': b",
  "~: 1\nnull: 2",
  "? [a]\n: 1",
  "[1,2]: x",
  "{a: 1}: x",
  "? a\n: b",
  "? a",
  "a: 1\n---\nb: 2",
  "a: 1\n...\n",
  "",
  "# only",
  "- a",
  "just text",
  "a: |+\n  x\n\nb: 1",
  "a: >-\n  x\n  y\n\n  z\n",
  "a: |2\n    x\n",
  "a: >\n\n  x\n\n\n",
  "a: |-\n  keep  \n",
  'a: "\\u00e9\\x41\\t\\U0001F600\\N\\_\\L\\P\\e\\0\\a\\b\\v\\f\\/\\ "',
  "a: 'it''s'",
  'a: "multi\n  line"',
  'a: "esc\\\n  aped"',
  "a: plain\n  multi\n\n  line",
  "a: 'sq\n\n  multi'",
  "a: b # c",
  "a: b#c",
  "__proto__: {x: 1}",
  "a:\n  __proto__: [1]",
  "a: {b, c}",
  "a: [b: 1]",
  "a: [b: 1, c]",
  "a: [1, 2, ]",
  "a: {x: 1, }",
  "a: {x: , y: 2}",
  'a: {"x":1}',
  'a: ["a":1]',
  "a: { x: [1, {y: z}] }",
  "a:\n  - b: 1\n    c: 2\n  -\n    d",
  "a: -",
  "a: - b",
  "a:\n  b:\n  c:",
  "key with spaces: v",
  "'quoted key': v",
  '"k\\tq": v',
  "a: b\n# c\n\n\nd: e",
  "a: 1\r\nb: 2\r\n",
  "\ufeffa: 1",
  'a: "x\\\n  y"',
  'a: "x\\\n\n  y"',
  'a: "x\\\n   \n\n  y"',
  'a: ["x\\\n   \n   y"]',
  "a: \u0085b",
  'a: "\\u2028"',
  "a: |\r\n  x\r\n  y\r\n",
  'a: "\\x"',
  "a: 'x",
  "a: @b",
  "a: `b",
  "a: b\n c: d",
  "a:\n\t- 1",
  "a:\tb",
  "a: 'x'\n  b: 2",
  "a: {{ input.x }}",
  'a: "{{ input.x }}: {{ y }}"',
  "a: x{{ y }}",
  "a: '{{ a != b }}'",
  "a: x!y",
  "a: [[1, 2], [3]]",
  "a: {b: {c: {d: [1, {e: f}]}}}",
  "- - - x",
  "a:\n- 1\n- 2",
];

describe("the fast reader of workflow files (js-yaml, no positions)", () => {
  test("answers hand-written YAML only with what the full parse gives", () => {
    let answered = 0;
    for (const text of DOCUMENTS) if (expectSameOrNoAnswer(text)) answered++;
    // Most of these must be answered, or the comparison proves little.
    expect(answered).toBeGreaterThan(DOCUMENTS.length * 0.7);
  });

  test("refuses duplicate keys, collection keys, several documents and what is not a mapping", () => {
    const texts = [
      "a: 1\na: 2",
      "a: {x: 1, x: 2}",
      "[1,2]: x",
      "? [a]\n: 1",
      "a: 1\n---\nb: 2",
      "",
      "- a",
      "text",
    ];
    for (const text of texts) {
      expect({ text, data: readPlainMapping(text) }).toEqual({ text, data: undefined });
    }
  });

  test("leaves directives, tags, aliases, merge keys and the whitespace corners to `yaml`", () => {
    const texts = [
      "%YAML 1.1\n---\na: yes",
      "%TAG !e! tag:example.com,2000:\n---\na: 1",
      "a: !!int '3'",
      "a: !!str 3",
      "a: ! 12",
      "a: !custom x",
      "a: [!!str 1]",
      "a: &x {p: 1}\nb: *x",
      'cron: "0 3 * * *"\nb: *x',
      "x-defaults: &d {retry: 1}\nsteps:\n  - <<: *d\n    id: a",
      "a:\n  <<: {p: 1}\n  q: 2",
      'a: "x\\\n\n  y"',
      'a: "x\\\n\t\n  y"',
      "a: |2\n    x\n",
      "a: >1-\n   x\n",
      "a: |\n  x\n  \t\n",
      "a: x\ty",
      "a: 'x\ry'",
    ];
    for (const text of texts)
      expect({ text, data: readPlainMapping(text) }).toEqual({ text, data: undefined });
  });

  test("an expression's != is not taken for a tag", () => {
    expect(readPlainMapping('if: "{{ env.X != blank }}"\nn: 1')).toEqual({
      if: "{{ env.X != blank }}",
      n: 1,
    });
  });

  test("answers random documents in every style `yaml` writes exactly as `yaml` reads them back", () => {
    const random = seededRandom(7);
    let answered = 0;
    const rounds = 400;
    for (let round = 0; round < rounds; round++) {
      const text = stringify(
        { top: randomValue(random, 0), [`k${round}`]: randomValue(random, 1) },
        randomStyle(random),
      );
      if (expectSameOrNoAnswer(text)) answered++;
    }
    expect(answered).toBeGreaterThan(rounds * 0.9);
  });

  test("answers whitespace-heavy scalars of every style exactly as `yaml` reads them", () => {
    const random = seededRandom(11);
    let answered = 0;
    const rounds = 5000;
    for (let round = 0; round < rounds; round++) {
      if (expectSameOrNoAnswer(randomScalarDocument(random))) answered++;
    }
    expect(answered).toBeGreaterThan(rounds * 0.2);
  });

  test("reads every example and fixture workflow, and the workflow it gives equals the full parse's", () => {
    const files = yamlFiles(join(ROOT, "workflows.example")).concat(yamlFiles(join(ROOT, "test/fixtures")));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect({ file, answered: expectSameOrNoAnswer(text) }).toEqual({ file, answered: true });
      const fast = parseWorkflowFile("flow.yaml", text);
      // A tag in a comment sends the same workflow through `yaml`.
      const full = parseWorkflowFile("flow.yaml", `${text}\n# !full-parse\n`);
      expect(fast.version?.definition).toEqual(full.version?.definition);
      expect(fast.problems).toEqual(full.problems);
    }
  });
});

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const TEXTS = [
  ...SCALARS,
  " lead",
  "trail ",
  "a: b",
  "#c",
  "- x",
  "{{ input.x }}",
  "'q'",
  '"dq"',
  "multi\nline",
  "tab\there",
  "é ü 😀",
  "\\",
  ">",
  "|",
  "@at",
  "`tick",
  "%pct",
  "? q",
  "x: {{ y }}",
  "line\n\n  indented\n",
];
const KEYS = ["id", "name", "a b", "1", "true", "null", "-k", "k:v", "#h", "é", "x-y", "{{ k }}"];

function randomValue(random: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const kind = depth >= 4 ? Math.floor(random() * 3) : Math.floor(random() * 5);
  if (kind === 0) return pick(TEXTS);
  if (kind === 1)
    return pick([0, -0, 1, -7, 0.5, 1e21, 2 ** 53 + 2, -1.25e-7, Number.NaN, Infinity, true, false, null]);
  if (kind === 2) return `${pick(TEXTS)}${pick(TEXTS)}`;
  if (kind === 3)
    return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let index = Math.floor(random() * 4); index > 0; index--)
    object[pick(KEYS)] = randomValue(random, depth + 1);
  return object;
}

function randomStyle(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return {
    defaultStringType: pick([
      "PLAIN",
      "QUOTE_DOUBLE",
      "QUOTE_SINGLE",
      "BLOCK_LITERAL",
      "BLOCK_FOLDED",
    ] as const),
    defaultKeyType: pick([null, "PLAIN", "QUOTE_DOUBLE"] as const),
    collectionStyle: pick(["any", "block", "flow"] as const),
    lineWidth: pick([0, 20, 80]),
    indent: pick([2, 4]),
    indentSeq: random() < 0.5,
    flowCollectionPadding: random() < 0.5,
  };
}

/** Pieces of double-quoted, single-quoted, plain and block scalars: escapes, folds, blank lines. */
const SCALAR_PIECES = [
  [
    "a",
    " ",
    "  ",
    "\t",
    "\\\\",
    "\n",
    "\n  ",
    "\n\n  ",
    "\\\n",
    "\\\n  ",
    "\\ ",
    "\\t",
    "\\x41",
    '\\"',
    "#",
    ": ",
    "'",
    "\r\n",
    " \n",
  ],
  ["a", " ", "  ", "\t", "\\", "\n", "\n  ", "\n\n  ", "''", "#", ": ", '"', " \n", "\r\n"],
  ["a", " ", "\t", "\\", "\n  ", "\n\n  ", "#x", " #x", ":", "x:y", "'", '"', "-", "?", "@"],
  ["a", " ", "  ", "\t", "\\", "\n", "\n  ", "\n\n", "\n   ", "#", ":", "'", '"', "\n\t"],
] as const;

/** A mapping whose key `k` holds a random scalar of one style, nested or not, LF or CRLF. */
function randomScalarDocument(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const style = Math.floor(random() * 4);
  let body = "";
  for (let part = Math.floor(random() * 8); part >= 0; part--) body += pick(SCALAR_PIECES[style] ?? []);
  const indent = pick(["", "  ", "    "]);
  const open = indent ? `m:\n${indent}` : "";
  let text: string;
  if (style === 0) text = `${open}k: "${body}"\n${indent}z: 1\n`;
  else if (style === 1) text = `${open}k: '${body}'\n${indent}z: 1\n`;
  else if (style === 2) text = `${open}k: ${body}\n${indent}z: 1\n`;
  else {
    const header = pick(["|", ">", "|-", ">+", "|2", ">1-", "|+", ">-"]);
    const lines = body.split("\n").map((line) => `${indent}  ${line}`);
    text = `${open}k: ${header}\n${lines.join("\n")}\n${indent}z: 1\n`;
  }
  return random() < 0.3 ? text.replaceAll("\n", "\r\n") : text;
}
