import { compileExpression } from "./expression.ts";
import { liquid } from "./liquid.ts";

/**
 * Templates whose syntax is known to be sound without Liquid's parser, the slowest part of
 * checking a workflow file. The common shapes qualify: text around outputs that read a path or a
 * literal through filters with literal or path arguments, as in
 * `Total: {{ input.items | map: 'quantity * price' | sum | round: 2 }} {{ input.currency }}`, and
 * conditions that compare such values, as in `{{ env.URL != blank and steps.a.output.n > 0 }}`.
 * Anything else (tags, `not`, named arguments, escapes) goes to Liquid. A test holds this to
 * Liquid's own check on generated templates.
 */
export function isSoundWithoutLiquid(source: string): boolean {
  if (source.includes("{%")) return false;
  // Outputs are cut as Liquid's tokenizer cuts them: from a `{{` to the next `}}`.
  let start = source.indexOf("{{");
  while (start !== -1) {
    const end = source.indexOf("}}", start + 2);
    if (end === -1 || !isSoundOutput(source.slice(start + 2, end))) return false;
    start = source.indexOf("{{", end + 2);
  }
  return true;
}

/** A name Liquid reads as an operator is not a path. */
const PATH = String.raw`(?!(?:and|or|not|contains)\b)[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])*`;
const QUOTED = String.raw`'[^'\\]*'|"[^"\\]*"`;
const VALUE = String.raw`(?:${PATH}|-?\d+(?:\.\d+)?|${QUOTED})`;
const FIRST_VALUE = new RegExp(String.raw`^-?\s*${VALUE}`, "y");
/** Operators between two values, spaced as written in conditions. */
const COMPARISON = new RegExp(String.raw`\s+(?:==|!=|<=|>=|<|>|contains|and|or)\s+${VALUE}`, "y");
const FILTER = new RegExp(String.raw`\s*\|\s*([a-z_]+)(?:\s*:\s*(${VALUE}(?:\s*,\s*${VALUE})*))?`, "y");
const END = /\s*-?$/y;
const ONLY_QUOTED = new RegExp(`^(?:${QUOTED})$`);

/**
 * The inside of one output, with Liquid's `-` trims: a value, then either filters or comparisons
 * (Liquid does not filter a comparison).
 */
function isSoundOutput(content: string): boolean {
  FIRST_VALUE.lastIndex = 0;
  if (!FIRST_VALUE.test(content)) return false;
  let position = FIRST_VALUE.lastIndex;
  COMPARISON.lastIndex = position;
  if (COMPARISON.test(content)) {
    do position = COMPARISON.lastIndex;
    while (COMPARISON.test(content));
    END.lastIndex = position;
    return END.test(content);
  }
  for (;;) {
    END.lastIndex = position;
    if (END.test(content)) return true;
    FILTER.lastIndex = position;
    const filter = FILTER.exec(content);
    if (!filter || !isSoundFilter(filter[1] as string, filter[2])) return false;
    position = FILTER.lastIndex;
  }
}

/** A filter Liquid knows (strictFilters refuses others); `map` needs one quoted, valid expression. */
function isSoundFilter(name: string, args: string | undefined): boolean {
  if (!Object.hasOwn(liquid.filters, name)) return false;
  if (name !== "map") return true;
  if (!args || !ONLY_QUOTED.test(args)) return false;
  try {
    compileExpression(args.slice(1, -1));
    return true;
  } catch {
    return false;
  }
}
