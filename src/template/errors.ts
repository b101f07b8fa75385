import { LiquidError, type Token } from "liquidjs";
import { TEMPLATE_LIMITS } from "./limits.ts";

/**
 * A template that cannot be compiled or rendered. The message names the template text (shortened)
 * and the problem; it never carries a stack trace or the rendered data.
 */
export class TemplateError extends Error {
  override readonly name = "TemplateError";
}

/** A problem with a `map` expression; turned into a TemplateError that names the whole template. */
export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
}

const SNIPPET_LENGTH = 120;
const POSITION = /, line:(\d+), col:(\d+)$/;

/** The template text as it appears in messages: quoted, escaped, shortened. */
function snippet(source: string): string {
  const short = source.length > SNIPPET_LENGTH ? `${source.slice(0, SNIPPET_LENGTH)}...` : source;
  return JSON.stringify(short);
}

/** Builds the TemplateError for `problem` in `source`, prefixed by where the string sits in a value. */
export function templateError(source: string, problem: string, path = ""): TemplateError {
  const where = path ? `${path}: ` : "";
  return new TemplateError(`${where}template ${snippet(source)}: ${problem}`);
}

/** Liquid's own wording for limits and lookups, rewritten for workflow authors. */
const REWRITES: [RegExp, (match: RegExpMatchArray) => string][] = [
  [/^undefined filter: (.+)$/, (m) => `unknown filter "${m[1]}"`],
  [
    /^tag "(include|render|layout)" not found$/,
    (m) => `tag "${m[1]}" is not supported: templates cannot read files`,
  ],
  [/^tag "(.+)" not found$/, (m) => `unknown tag "${m[1]}"`],
  [
    /^memory alloc limit exceeded$/,
    () => `creates too much data (limit: ${TEMPLATE_LIMITS.memory} characters or items)`,
  ],
  [
    /^template render limit exceeded$/,
    () => `took longer than the ${TEMPLATE_LIMITS.renderMs} ms render limit`,
  ],
  [/^parse length limit exceeded$/, () => `is longer than ${TEMPLATE_LIMITS.parseLength} characters`],
  [/Maximum call stack size exceeded/, () => "is nested too deeply"],
  [/^(Invalid string length|Out of memory)$/, () => "creates a string that is too long"],
];

/** Liquid's message for an output with nothing in it, and for a tag without its expression. */
const EMPTY_EXPRESSION = 'invalid value expression: ""';

/** A tag's name after its `{%`; in a `{% liquid %}` block, each line is a tag of its own. */
const TAG_NAME = /\{%-?\s*(\w+)\s*/y;

/**
 * Which of the two an empty expression was (`{{ }}` or `{% if %}`), read from where Liquid stopped
 * reading: the nearest `{{` or `{%` before it.
 */
function emptyExpression(token: Token): string {
  const { input, begin } = token;
  const tagStart = input.lastIndexOf("{%", begin);
  if (input.lastIndexOf("{{", begin) > tagStart) return "empty output {{ }}";
  TAG_NAME.lastIndex = tagStart;
  let name = TAG_NAME.exec(input)?.[1];
  if (name === "liquid") {
    const lineStart = Math.max(TAG_NAME.lastIndex, input.lastIndexOf("\n", begin - 1) + 1);
    name = /^\s*(\w+)/.exec(input.slice(lineStart, begin))?.[1];
  }
  return `tag "${name}" is missing its expression`;
}

function rewrite(message: string): string {
  for (const [pattern, replace] of REWRITES) {
    const match = message.match(pattern);
    if (match) return replace(match);
  }
  return message;
}

/**
 * A short human sentence for anything thrown while parsing or rendering `source`: Liquid's wrapper
 * errors are unwrapped to their cause, its position is kept only for multi-line templates.
 */
export function describeProblem(error: unknown, source: string): string {
  const outer = error instanceof Error ? error.message : String(error);
  let cause: unknown = error;
  while (cause instanceof LiquidError && cause.originalError instanceof Error) cause = cause.originalError;
  const message = cause instanceof Error ? cause.message : String(cause);
  const text = message.replace(POSITION, "").replace(/\.$/, "");
  const problem =
    text === EMPTY_EXPRESSION && cause instanceof LiquidError ? emptyExpression(cause.token) : rewrite(text);
  const position = outer.match(POSITION);
  return position && source.includes("\n") ? `${problem} (line ${position[1]}, col ${position[2]})` : problem;
}
