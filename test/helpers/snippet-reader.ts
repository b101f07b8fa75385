/**
 * What a `wfd code` snippet says it sends, read back out of its source text, so tests can check
 * it without the language installed.
 */
export function readSnippet(
  lang: "curl" | "node" | "python" | "php" | "go",
  code: string,
): { url: string; input: unknown } {
  const grab = (pattern: RegExp) => {
    const match = pattern.exec(code);
    if (!match) throw new Error(`${lang} snippet does not match ${pattern}`);
    return match[1] as string;
  };
  switch (lang) {
    case "curl":
      return {
        url: grab(/-X POST '((?:[^']|'\\'')*)'/).replaceAll(`'\\''`, "'"),
        input: JSON.parse(grab(/<<'JSON'\n([\s\S]*?)\nJSON\n/)).input,
      };
    case "node":
      return {
        url: JSON.parse(grab(/^const url = (.*);$/m)),
        input: JSON.parse(grab(/^const input = ([\s\S]*?);\n\/\//m)),
      };
    case "python":
      return {
        url: JSON.parse(grab(/^URL = (.*)$/m)),
        input: readLiteral(grab(/^INPUT = ([\s\S]*?)\n#/m), "python"),
      };
    case "php":
      return {
        url: readLiteral(grab(/^\$url = (.*);$/m), "php") as string,
        input: readLiteral(grab(/^\$input = ([\s\S]*?);\n\/\//m), "php"),
      };
    case "go":
      return {
        url: JSON.parse(grab(/^const url = (.*)$/m)),
        input: readLiteral(grab(/\tinput := ([\s\S]*?)\n\t\/\//), "go"),
      };
  }
}

/**
 * Reads a Python, PHP or Go value literal back into JSON data. Written apart from the writer in
 * src/cli/code-literals.ts: strings are decoded by each language's own rules.
 */
export function readLiteral(text: string, language: "python" | "php" | "go"): unknown {
  const tokens = tokenize(text, language);
  let at = 0;
  const take = (): string => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`unexpected end of ${language} literal`);
    return token;
  };
  const value = (): unknown => {
    const token = take();
    if (MAP_OPENERS.has(token) || LIST_OPENERS.has(token)) return container(MAP_OPENERS.has(token));
    if (token === "new \\stdClass()") return {};
    if (token in WORDS) return WORDS[token];
    if (token.startsWith('"')) return JSON.parse(token); // Python and Go escapes as JSON's
    if (token.startsWith("'")) return token.slice(1, -1).replace(/\\([\\'])/g, "$1"); // PHP
    if (/^-?\d/.test(token)) return Number(token);
    throw new Error(`unexpected ${language} token ${token}`);
  };
  // A container is a map when it opens as one or its entries have keys (PHP's `[k => v]`).
  const container = (isMap: boolean): unknown => {
    const items: unknown[] = [];
    const entries: [string, unknown][] = [];
    while (tokens[at] !== "}" && tokens[at] !== "]") {
      const first = value();
      if (tokens[at] === ":" || tokens[at] === "=>") {
        at++;
        entries.push([String(first), value()]);
      } else {
        items.push(first);
      }
      if (tokens[at] === ",") at++;
    }
    at++;
    return isMap || entries.length > 0 ? Object.fromEntries(entries) : items;
  };
  const result = value();
  if (at !== tokens.length) throw new Error(`trailing ${language} tokens: ${tokens.slice(at).join(" ")}`);
  return result;
}

const MAP_OPENERS = new Set(["{", "map[string]any{", "(object) ["]);
const LIST_OPENERS = new Set(["[", "[]any{"]);
const WORDS: Record<string, unknown> = {
  True: true,
  False: false,
  None: null,
  true: true,
  false: false,
  null: null,
  nil: null,
};

const TOKEN =
  /\s*(map\[string\]any\{|\[\]any\{|\(object\) \[|new \\stdClass\(\)|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z]+|=>|[{}[\]:,])/y;

function tokenize(text: string, language: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.trimEnd().length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new Error(`cannot read ${language} literal at: ${text.slice(start, start + 20)}`);
    tokens.push(match[1] as string);
  }
  return tokens;
}
