import {
  type Expression,
  type Filter,
  Output,
  type Template,
  Tokenizer,
  TypeGuards,
  toValueSync,
  Value,
} from "liquidjs";
import { ExpressionError } from "./errors.ts";
import { compileExpression } from "./expression.ts";
import { liquid } from "./liquid.ts";

/**
 * Problems Liquid's parser lets through, in already parsed templates: `map` expressions that are
 * invalid or forbidden, and outputs Liquid would silently misread (`{{ a b }}`, `{{ a == }}`).
 */
export function findParsedProblems(templates: readonly Template[]): string[] {
  const problems: string[] = [];
  visit(templates, problems);
  return problems;
}

function visit(templates: readonly Template[], problems: string[]): void {
  for (const template of templates) {
    if (template instanceof Output) checkOutputSyntax(template, problems);
    for (const argument of template.arguments?.() ?? []) {
      if (argument instanceof Value) checkValue(argument, problems);
    }
    visitChildren(template, problems);
  }
}

function visitChildren(template: Template, problems: string[]): void {
  if (template.children) visit(toValueSync(template.children(false, true)), problems);
}

function checkValue(value: Value, problems: string[]): void {
  if (!isWellFormed(value.initial)) {
    problems.push(`invalid expression "${sourceOf(value.initial)}": a value or an operator is missing`);
  }
  for (const filter of value.filters) {
    if (filter.name === "map") checkMap(filter, problems);
  }
}

function checkMap(filter: Filter, problems: string[]): void {
  const argument = filter.args[0];
  if (argument === undefined || filter.args.length > 1) {
    problems.push("map needs exactly one expression, e.g. map: 'price * quantity'");
    return;
  }
  // Only quoted expressions are known before rendering; others are checked when rendered.
  if (!TypeGuards.isQuotedToken(argument)) return;
  try {
    compileExpression(argument.content);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    problems.push(error.message);
  }
}

/** Every operator has its operands and exactly one value is left: `a b` and `a ==` are not. */
function isWellFormed(expression: Expression): boolean {
  let depth = 0;
  for (const token of expression.postfix) {
    if (!TypeGuards.isOperatorToken(token)) depth++;
    else if (token.operator === "not") depth = depth >= 1 ? depth : -1;
    else depth = depth >= 2 ? depth - 1 : -1;
    if (depth < 0) return false;
  }
  return depth === 1;
}

/** The template text an expression was read from. */
function sourceOf(expression: Expression): string {
  const tokens = expression.postfix;
  const [first] = tokens;
  if (!first) return "";
  let { begin, end } = first;
  for (const token of tokens) {
    begin = Math.min(begin, token.begin);
    end = Math.max(end, token.end);
  }
  return first.input.slice(begin, end);
}

/** Liquid stops reading an output at the first token it cannot use; anything left is a mistake. */
function checkOutputSyntax(output: Output, problems: string[]): void {
  const token = output.token;
  if (!TypeGuards.isOutputToken(token)) return;
  const tokenizer = new Tokenizer(token.input, liquid.options.operators, undefined, token.contentRange);
  tokenizer.readFilteredValue();
  tokenizer.skipBlank();
  if (!tokenizer.end()) problems.push(`unexpected "${tokenizer.remaining().trim()}" in ${token.getText()}`);
}
