import { describe, expect, test } from "bun:test";
import { compileCondition, TemplateError } from "../../src/template/index.ts";
import { makeContext } from "./context.ts";

const evaluate = (source: string, input: unknown = {}) =>
  compileCondition(source).evaluate(makeContext({ input }));

describe("compileCondition", () => {
  test("comparisons on step outputs, with hyphenated step ids", () => {
    expect(evaluate("{{ steps.calculate-total.output.total > 0 }}")).toBe(true);
    expect(evaluate("{{ steps.calculate-total.output.total > 100 }}")).toBe(false);
    expect(evaluate("{{ steps.create-invoice.output.status == 200 }}")).toBe(true);
  });

  test("logic with and/or/contains", () => {
    expect(evaluate("{{ input.a == 'x' and input.b }}", { a: "x", b: true })).toBe(true);
    expect(evaluate("{{ input.a == 'x' and input.b }}", { a: "x", b: false })).toBe(false);
    expect(evaluate("{{ input.tags contains 'vip' or input.force }}", { tags: ["vip"] })).toBe(true);
  });

  test("Liquid truthiness: only false and nil are false", () => {
    expect(evaluate("{{ input.v }}", { v: 0 })).toBe(true);
    expect(evaluate("{{ input.v }}", { v: "" })).toBe(true);
    expect(evaluate("{{ input.v }}", { v: [] })).toBe(true);
    expect(evaluate("{{ input.v }}", { v: false })).toBe(false);
    expect(evaluate("{{ input.v }}", { v: null })).toBe(false);
  });

  test("a missing path is false, not an error", () => {
    expect(evaluate("{{ input.flag }}")).toBe(false);
    expect(evaluate("{{ steps.nope.output.total > 0 }}")).toBe(false);
  });

  test("text results: empty, false and null are false", () => {
    expect(evaluate("{% if input.ok %}true{% else %}false{% endif %}", { ok: true })).toBe(true);
    expect(evaluate("{% if input.ok %}true{% else %}false{% endif %}", { ok: false })).toBe(false);
    expect(evaluate("{% if input.ok %}yes{% endif %}", {})).toBe(false);
    expect(evaluate("{{ input.a }}{{ input.b }}", { a: "nu", b: "ll" })).toBe(false);
    expect(evaluate("{{ input.a }}{{ input.b }}", { a: "a", b: "b" })).toBe(true);
  });

  test("a condition without markup must be true or false", () => {
    expect(evaluate("true")).toBe(true);
    expect(evaluate(" false ")).toBe(false);
    expect(() => compileCondition("input.total > 0")).toThrow(TemplateError);
    expect(() => compileCondition("input.total > 0")).toThrow(
      'template "input.total > 0": a condition must be "true", "false" or a {{ expression }}',
    );
    expect(() => compileCondition("")).toThrow(TemplateError);
  });

  test("syntax errors throw when compiled", () => {
    expect(() => compileCondition("{% if %}true{% endif %}")).toThrow(
      'template "{% if %}true{% endif %}": tag "if" is missing its expression',
    );
    expect(() => compileCondition("{{ input.a | nope }}")).toThrow('unknown filter "nope"');
    expect(() => compileCondition("{% if input.a %}")).toThrow("not closed");
  });

  test("evaluation errors throw TemplateError with the template and the problem", () => {
    const condition = compileCondition("{{ input.items | map: input.expr | size }}");
    const context = makeContext({ input: { items: [1], expr: "item.constructor" } });
    expect(() => condition.evaluate(context)).toThrow(TemplateError);
    expect(() => condition.evaluate(context)).toThrow(
      'template "{{ input.items | map: input.expr | size }}": map expression "item.constructor": "constructor" is not allowed',
    );
  });

  test("one compiled condition evaluates many contexts", () => {
    const condition = compileCondition("{{ input.n >= 10 }}");
    expect([5, 10, 15].map((n) => condition.evaluate(makeContext({ input: { n } })))).toEqual([
      false,
      true,
      true,
    ]);
  });
});
