import { describe, expect, test } from "bun:test";
import { Drop, type Output } from "liquidjs";
import { compileValue } from "../../src/template/index.ts";
import { liquid } from "../../src/template/liquid.ts";
import { NOT_PLAIN, plainPathOf, readPlainPath } from "../../src/template/paths.ts";
import { makeContext } from "./context.ts";

class Shouting extends Drop {
  override liquidMethodMissing(key: string): string {
    return key.toUpperCase();
  }
}

/** Liquid's own evaluation of an expression, the reference the plain-path reading must equal. */
function byLiquid(expression: string, context: object): unknown {
  return liquid.evalValueSync(expression, { ...context }) ?? null;
}

describe("plain paths read without Liquid's evaluator give Liquid's value", () => {
  const context = {
    ...makeContext(),
    input: {
      id: "ord_1",
      items: [{ price: 10 }, { price: 8 }],
      nested: { "with space": 1, "0": "zero key", deep: { none: null, no: false, zero: 0 } },
      text: "abc",
      list: "not a list",
      drop: new Shouting(),
      date: new Date(0),
      withProto: Object.create({ inherited: "hidden" }),
    },
  };
  const expressions = [
    "input.id",
    "input.items[0].price",
    "input.items[1]",
    "input.items[5]",
    "input.items[5].price",
    "input.items['0']",
    "input.items.length",
    "input.items.size",
    "input.items.first.price",
    "input.items[-1].price",
    "input.nested['with space']",
    "input.nested['0']",
    "input.nested.deep",
    "input.nested.deep.none",
    "input.nested.deep.none.more",
    "input.nested.deep.no",
    "input.nested.deep.zero",
    "input.missing",
    "input.missing.more",
    "input.text.size",
    "input.text[0]",
    "input.list.first",
    "input.drop.anything",
    "input.date.getTime",
    "input.withProto.inherited",
    "input.toString",
    "input.constructor",
    "input.__proto__",
    "steps.calculate-total.output.total",
    "steps.create-invoice.output.body.lines[1]",
    "run.trigger.type",
    "secrets.STRIPE_KEY",
    "nothing",
    "nothing.at.all",
    "toString",
    "constructor",
  ];
  for (const expression of expressions) {
    test(`{{ ${expression} }}`, () => {
      const compiled = compileValue(`{{ ${expression} }}`).render(context);
      expect(compiled).toEqual(byLiquid(expression, context) as never);
    });
  }
});

describe("which outputs are plain paths", () => {
  const pathOf = (source: string) => plainPathOf((liquid.parse(source) as Output[])[0] as Output);

  test("fixed keys, indexes and quoted keys make a path", () => {
    expect(pathOf("{{ steps.calculate-total.output.total }}")).toEqual([
      "steps",
      "calculate-total",
      "output",
      "total",
    ]);
    expect(pathOf("{{ input.items[0]['a b'] }}")).toEqual(["input", "items", 0, "a b"]);
  });

  test("filters, operators, variable keys, negative indexes, special keys and literals do not", () => {
    for (const source of [
      "{{ input.n | times: 2 }}",
      "{{ input.n > 2 }}",
      "{{ input.items[input.i] }}",
      "{{ input.items[-1] }}",
      "{{ input.items.size }}",
      "{{ input.items.first }}",
      "{{ 'text' }}",
      "{{ 5 }}",
    ]) {
      expect(pathOf(source)).toBeUndefined();
    }
  });

  test("only plain objects, arrays and nulls are read; anything else is left to Liquid", () => {
    expect(readPlainPath({ a: [{ b: 1 }] }, ["a", 0, "b"])).toBe(1);
    expect(readPlainPath({ a: null }, ["a", "b", "c"])).toBeNull();
    expect(readPlainPath({ a: new Date(0) }, ["a", "getTime"])).toBe(NOT_PLAIN);
    expect(readPlainPath({ a: "text" }, ["a", 0])).toBe(NOT_PLAIN);
    expect(readPlainPath({ a: [1] }, ["a", "0"])).toBe(NOT_PLAIN);
    expect(readPlainPath({ f: () => 1 }, ["f"])).toBe(NOT_PLAIN);
  });
});
