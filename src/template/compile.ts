import { Output, type Template, TokenKind, toValue, toValueSync } from "liquidjs";
import { findParsedProblems } from "./check.ts";
import { describeProblem, TemplateError, templateError } from "./errors.ts";
import { liquid, RenderSession, TextEmitter } from "./liquid.ts";
import { NOT_PLAIN, plainOutputOf, readPlainOutput } from "./paths.ts";
import { isSoundWithoutLiquid } from "./quick-check.ts";
import type { CompiledCondition, CompiledValue, TemplateContext } from "./types.ts";

/** Renders one compiled part of a value within a session; `undefined` parts are constants. */
type Node = (session: RenderSession) => unknown;

/** True when a string contains template markup ({{ or {%). */
export function isTemplate(source: string): boolean {
  return source.includes("{{") || source.includes("{%");
}

/**
 * Syntax problems of one template string ([] when fine), each a short sentence starting with
 * `template:`. Used by the workflow validator.
 */
export function findTemplateErrors(source: string): string[] {
  if (!isTemplate(source) || isSoundWithoutLiquid(source)) return [];
  try {
    return findParsedProblems(liquid.parse(source)).map((problem) => `template: ${problem}`);
  } catch (error) {
    return [`template: ${describeProblem(error, source)}`];
  }
}

/**
 * Walks any JSON-like value and parses every string with markup once. Strings without markup, and
 * subtrees without any, are returned as they are. Object keys are never templated. Throws
 * TemplateError (naming the path, e.g. `json.amount`) when a string has a syntax error.
 */
export function compileValue(value: unknown): CompiledValue {
  const node = compileNode(value, "");
  if (!node) return { render: () => value };
  return { render: (context: TemplateContext) => node(new RenderSession(context)) };
}

/**
 * Compiles an `if:`. A single `{{ expression }}` is true unless its value is false or null
 * (Liquid truthiness: 0 and "" are true); other templates are false when their text, trimmed, is
 * "", "false" or "null". A string without markup must be "true" or "false". Rendering errors throw
 * TemplateError; a missing path is null, so it is false.
 */
export function compileCondition(source: string): CompiledCondition {
  if (!isTemplate(source)) return constantCondition(source);
  const { node, typed } = compileString(source, "");
  if (typed) return { evaluate: (context) => isLiquidTruthy(node(new RenderSession(context))) };
  return { evaluate: (context) => !FALSE_TEXTS.has(String(node(new RenderSession(context))).trim()) };
}

const FALSE_TEXTS = new Set(["", "false", "null"]);

/** Liquid truthiness: only false and nil are false. */
function isLiquidTruthy(value: unknown): boolean {
  return value !== false && value !== null && value !== undefined;
}

function constantCondition(source: string): CompiledCondition {
  const text = source.trim();
  if (text !== "true" && text !== "false") {
    throw templateError(source, 'a condition must be "true", "false" or a {{ expression }}');
  }
  const result = text === "true";
  return { evaluate: () => result };
}

function compileNode(value: unknown, path: string): Node | undefined {
  if (typeof value === "string") return isTemplate(value) ? compileString(value, path).node : undefined;
  if (Array.isArray(value)) return compileArray(value, path);
  if (isPlainObject(value)) return compileObject(value, path);
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function compileArray(value: readonly unknown[], path: string): Node | undefined {
  const parts = value.map((item, index) => compileNode(item, `${path}[${index}]`));
  if (parts.every((part) => part === undefined)) return undefined;
  return (session) => parts.map((part, index) => (part ? part(session) : value[index]));
}

function compileObject(value: Record<string, unknown>, path: string): Node | undefined {
  const entries = Object.entries(value).map(
    ([key, item]) => [key, item, compileNode(item, path ? `${path}.${key}` : key)] as const,
  );
  if (entries.every(([, , part]) => part === undefined)) return undefined;
  return (session) => {
    const result: Record<string, unknown> = {};
    for (const [key, item, part] of entries) result[key] = part ? part(session) : item;
    return result;
  };
}

function parseChecked(source: string, path: string): Template[] {
  let templates: Template[] = [];
  let problem: string | undefined;
  try {
    templates = liquid.parse(source);
    [problem] = findParsedProblems(templates);
  } catch (error) {
    problem = describeProblem(error, source);
  }
  if (problem !== undefined) throw templateError(source, problem, path);
  return templates;
}

/** The output of a string that is exactly one `{{ expression }}`, whitespace around allowed. */
function singleOutput(templates: readonly Template[]): Output | undefined {
  let output: Output | undefined;
  for (const template of templates) {
    if (template instanceof Output && !output) output = template;
    else if (template.token.kind !== TokenKind.HTML || template.token.getText().trim() !== "")
      return undefined;
  }
  return output;
}

/** `typed` is true when the string is a single output whose value keeps its type. */
function compileString(source: string, path: string): { node: Node; typed: boolean } {
  const templates = parseChecked(source, path);
  const output = singleOutput(templates);
  const render = output ? typedRenderer(output) : textRenderer(templates);
  const node: Node = (session) => {
    try {
      return render(session);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      throw templateError(source, describeProblem(error, source), path);
    }
  };
  return { node, typed: output !== undefined };
}

/**
 * Evaluates the output's value directly: no text rendering, so numbers, objects and null keep their
 * type. A plain path (`{{ steps.a.output.id }}`, the most common template), also through math
 * filters (`{{ input.n | times: 2 }}`), is read without Liquid's evaluator when the data on the way
 * is plain, with the same result: Liquid's evaluator and its render context cost about 10 µs.
 */
function typedRenderer(output: Output): Node {
  const plain = plainOutputOf(output);
  return (session) => {
    const read = plain ? readPlainOutput(session.data, plain) : NOT_PLAIN;
    const value =
      read !== NOT_PLAIN ? read : toValue(toValueSync(output.value.value(session.newContext(), false)));
    return value === undefined ? null : value;
  };
}

function textRenderer(templates: Template[]): Node {
  return (session) => {
    const context = session.newContext();
    const emitter = new TextEmitter(context.memoryLimit);
    toValueSync(liquid.renderer.renderTemplates(templates, context, emitter));
    return emitter.buffer;
  };
}
