import { describe, expect, test } from "bun:test";
import { compileValue, TEMPLATE_LIMITS, TemplateError } from "../../src/template/index.ts";
import { makeContext } from "./context.ts";

const context = makeContext({ input: { name: "ada", items: [{ a: 1 }], big: "x".repeat(1_000_000) } });
const render = (template: string) => compileValue(template).render(context);

/** Runs `action`, expects a TemplateError matching `problem`, and returns how long it took. */
function expectTemplateError(action: () => unknown, problem: string | RegExp): number {
  const started = performance.now();
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  const elapsed = performance.now() - started;
  expect(caught).toBeInstanceOf(TemplateError);
  const message = (caught as Error).message;
  expect(message).toMatch(problem);
  expect(message).not.toContain("\n    at ");
  return elapsed;
}

describe("prototype access", () => {
  test("constructor, __proto__ and inherited methods are invisible", () => {
    expect(render("{{ input.constructor }}")).toBeNull();
    expect(render("{{ input.__proto__ }}")).toBeNull();
    expect(render("{{ input['constructor'] }}")).toBeNull();
    expect(render("{{ input.items.constructor.name }}")).toBeNull();
    expect(render("{{ input.name.toString }}")).toBeNull();
    expect(render("[{{ input.constructor.constructor }}]")).toBe("[]");
  });

  test("map expressions cannot call or reach prototypes", () => {
    expectTemplateError(
      () => compileValue(`{{ input | map: 'constructor.constructor("return process")()' }}`),
      "function calls are not allowed",
    );
    expectTemplateError(() => compileValue("{{ x | map: '__proto__' }}"), '"__proto__" is not allowed');
    expectTemplateError(() => compileValue("{{ x | map: 'a.prototype' }}"), '"prototype" is not allowed');
    expectTemplateError(
      () => compileValue("{{ x | map: \"a['constructor']\" }}"),
      '"constructor" is not allowed',
    );
    expectTemplateError(() => compileValue("{{ x | map: 'this.a' }}"), '"this" is not allowed');
    expectTemplateError(() => compileValue("{{ x | map: 'a = 1' }}"), /map expression "a = 1"/);
    expectTemplateError(() => compileValue("{{ x | map: '[a, b]' }}"), "array literals are not allowed");
    expectTemplateError(() => compileValue("{{ x | map: 'a, b' }}"), "only one expression is allowed");
    expectTemplateError(() => compileValue("{{ x | map: 'a | b' }}"), 'operator "|" is not allowed');
  });

  test("a computed key is checked when evaluated", () => {
    const compiled = compileValue("{{ input.items | map: 'a[input]' }}");
    const hostile = makeContext({ input: { items: [{ a: {}, input: "__proto__" }] } });
    expectTemplateError(() => compiled.render(hostile), '"__proto__" is not allowed');
    const keyed = makeContext({ input: { items: [{ a: { k: 1 }, input: "k" }] } });
    expect(compiled.render(keyed)).toEqual([1]);
  });

  test("functions are never exposed through map", () => {
    const withFunction = makeContext({ input: [{ f: () => "leak" }] });
    expect(compileValue("{{ input | map: 'f' }}").render(withFunction)).toEqual([null]);
  });

  test("an overlong map expression is refused", () => {
    const long = `${"a+".repeat(TEMPLATE_LIMITS.expressionLength)}a`;
    expectTemplateError(() => compileValue(`{{ x | map: '${long}' }}`), "characters");
  });
});

describe("resource limits", () => {
  test("a huge range fails on the memory limit at once", () => {
    const elapsed = expectTemplateError(
      () => render("{% for i in (1..100000000) %}x{% endfor %}"),
      "creates too much data",
    );
    expect(elapsed).toBeLessThan(500);
  });

  test("nested loops stop at the render time limit", () => {
    const template = `${"{% for i in (1..100) %}".repeat(6)}x${"{% endfor %}".repeat(6)}`;
    const elapsed = expectTemplateError(() => render(template), /creates too much data|render limit/);
    expect(elapsed).toBeLessThan(TEMPLATE_LIMITS.renderMs * 5);
  });

  test("a string doubled in a loop fails on the memory limit", () => {
    const template =
      "{% assign s = 'aaaaaaaaaa' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}";
    expectTemplateError(() => render(template), "creates too much data");
  });

  test("huge output, direct or captured, fails on the memory limit", () => {
    expectTemplateError(
      () => render("{% for i in (1..1000) %}{{ input.big }}{% endfor %}"),
      "creates too much data",
    );
    expectTemplateError(
      () =>
        render(
          "{% capture c %}{% for i in (1..1000) %}{{ input.big }}{% endfor %}{% endcapture %}{{ c | size }}",
        ),
      "creates too much data",
    );
  });

  test("the budget is shared by all strings of one value", () => {
    const big = "{% for i in (1..20) %}{{ input.big }}{% endfor %}";
    expect((render(big) as string).length).toBe(20_000_000);
    expectTemplateError(() => compileValue({ a: big, b: big }).render(context), "creates too much data");
  });

  test("a new render starts with a new budget", () => {
    const compiled = compileValue("{% for i in (1..20) %}{{ input.big }}{% endfor %}");
    expect((compiled.render(context) as string).length).toBe(20_000_000);
    expect((compiled.render(context) as string).length).toBe(20_000_000);
  });

  test("deeply nested templates fail instead of crashing", () => {
    const nestedTags = `${"{% if true %}".repeat(20_000)}x${"{% endif %}".repeat(20_000)}`;
    expectTemplateError(() => compileValue(nestedTags), "nested too deeply");
    const nestedIndex = `{{ ${"a[".repeat(20_000)}0${"]".repeat(20_000)} }}`;
    expectTemplateError(() => compileValue(nestedIndex), "nested too deeply");
  });

  test("a template over the parse limit is refused", () => {
    const huge = `{{ a }}${"x".repeat(TEMPLATE_LIMITS.parseLength)}`;
    expectTemplateError(() => compileValue(huge), "is longer than");
  });

  test("templates cannot read files", () => {
    expectTemplateError(() => compileValue("{% include '/etc/passwd' %}"), 'tag "include" is not supported');
    expectTemplateError(() => compileValue("{% render 'x' %}"), 'tag "render" is not supported');
    expectTemplateError(() => compileValue("{% layout 'x' %}"), 'tag "layout" is not supported');
  });
});
