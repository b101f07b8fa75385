import { Context, type Emitter, Liquid, toValue } from "liquidjs";
import { ExpressionError } from "./errors.ts";
import { compileExpression } from "./expression.ts";
import { TEMPLATE_LIMITS } from "./limits.ts";
import type { TemplateContext } from "./types.ts";

/**
 * The one Liquid engine of wfd. Prototype properties are invisible, an unknown filter is a parse
 * error, a missing variable is empty, and nothing is ever read from disk: `templates: {}` replaces
 * the file system and the tags that include files are removed. Dates format in UTC by default.
 */
export const liquid = new Liquid({
  ownPropertyOnly: true,
  strictFilters: true,
  strictVariables: false,
  templates: {},
  timezoneOffset: 0,
  // Dates render the same on every host, and Liquid need not ask Intl for the host's locale at
  // start (a first DateTimeFormat costs 20-30 ms).
  locale: "en-US",
  parseLimit: TEMPLATE_LIMITS.parseLength,
  renderLimit: TEMPLATE_LIMITS.renderMs,
  memoryLimit: TEMPLATE_LIMITS.memory,
});

for (const tag of ["include", "render", "layout"]) delete liquid.tags[tag];

type Limiter = Context["memoryLimit"];

/** How often (in items) `map` checks the render time limit: often enough to stop within the limit. */
const TIME_CHECK_INTERVAL = 1024;

/** Liquid's view of a collection: nil is empty, a non-array is a list of one. */
function toItems(value: unknown): readonly unknown[] {
  const plain = toValue(value);
  if (plain === null || plain === undefined) return [];
  return Array.isArray(plain) ? plain : [plain];
}

/** What JSON cannot hold (undefined, NaN, Infinity) becomes null, so results are plain data. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

/**
 * `map: 'expr'`: evaluates a safe expression per item (see expression.ts). A plain property name
 * (`map: 'name'`) plucks it, as Liquid's own `map` does.
 */
function mapFilter(this: { context: Context }, collection: unknown, expression: unknown): unknown[] {
  if (typeof expression !== "string") {
    throw new ExpressionError("map needs an expression in quotes, e.g. map: 'price * quantity'");
  }
  const evaluate = compileExpression(expression);
  const items = toItems(collection);
  const { memoryLimit, renderLimit } = this.context;
  memoryLimit.use(items.length);
  const results = new Array<unknown>(items.length);
  for (let index = 0; index < items.length; index++) {
    if (index % TIME_CHECK_INTERVAL === TIME_CHECK_INTERVAL - 1) renderLimit.check(performance.now());
    results[index] = jsonSafe(evaluate(toValue(items[index])));
  }
  return results;
}

liquid.registerFilter("map", mapFilter);

/**
 * Text of one output value. Like Liquid, except that a plain object renders as JSON instead of the
 * useless "[object Object]".
 */
export function toText(value: unknown): string {
  const plain = toValue(value);
  if (typeof plain === "string") return plain;
  if (plain === null || plain === undefined) return "";
  if (Array.isArray(plain)) return plain.map(toText).join("");
  if (typeof plain === "object") return JSON.stringify(plain) ?? "";
  return String(plain);
}

/** Collects rendered text and charges it to the render's memory budget, so output size is bounded. */
export class TextEmitter implements Emitter {
  buffer = "";

  constructor(private readonly memory: Limiter) {}

  /** Appends one piece of output. */
  write(value: unknown): void {
    const text = toText(value);
    this.memory.use(text.length);
    this.buffer += text;
  }
}

/**
 * Tags that render their body to a string (`capture`, `if` inside `capture`, ...) call
 * renderTemplates without an emitter; giving them a TextEmitter charges their text to the memory
 * budget too, so no output escapes the limit.
 */
const renderer = liquid.renderer;
const renderTemplates = renderer.renderTemplates.bind(renderer);
renderer.renderTemplates = (templates, context, emitter) =>
  renderTemplates(templates, context, emitter ?? new TextEmitter(context.memoryLimit));

const RENDER_OPTIONS = { sync: true } as const;

/**
 * One render of a compiled value. Every string gets its own Liquid Context (so `assign` in one
 * string does not leak into the next), but all share one time and memory budget. Liquid's
 * `increment`/`decrement` write into the environment, so it is a shallow copy of the caller's context.
 */
export class RenderSession {
  private readonly environment: TemplateContext;
  private budget?: { memoryLimit: Limiter; renderLimit: Limiter };

  constructor(context: TemplateContext) {
    this.environment = { ...context };
  }

  /** The data templates see. */
  get data(): TemplateContext {
    return this.environment;
  }

  /** A fresh Liquid Context over the session's data and budget. */
  newContext(): Context {
    const context = new Context(this.environment, liquid.options, RENDER_OPTIONS, { ...this.budget, liquid });
    this.budget ??= { memoryLimit: context.memoryLimit, renderLimit: context.renderLimit };
    return context;
  }
}
