import { describe, expect, test } from "bun:test";
import { Drop, type Output } from "liquidjs";
import { compileValue } from "../../src/template/index.ts";
import { liquid } from "../../src/template/liquid.ts";
import { NOT_PLAIN, plainOutputOf, readPlainPath } from "../../src/template/paths.ts";
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
  const plainOf = (source: string) => plainOutputOf((liquid.parse(source) as Output[])[0] as Output);
  const pathOf = (source: string) => {
    const plain = plainOf(source);
    return plain && plain.filters.length === 0 ? plain.path : undefined;
  };

  test("fixed keys, indexes and quoted keys make a path", () => {
    expect(pathOf("{{ steps.calculate-total.output.total }}")).toEqual([
      "steps",
      "calculate-total",
      "output",
      "total",
    ]);
    expect(pathOf("{{ input.items[0]['a b'] }}")).toEqual(["input", "items", 0, "a b"]);
  });

  test("math filters with number, quoted or plain-path arguments keep a path plain", () => {
    const plain = plainOf("{{ input.n | times: 2 | plus: input.m | round: '1' | abs }}");
    expect(plain?.path).toEqual(["input", "n"]);
    expect(plain?.filters.map((filter) => filter.args)).toEqual([
      [{ literal: 2 }],
      [{ path: ["input", "m"] }],
      [{ literal: "1" }],
      [],
    ]);
  });

  test("other filters, or math filters with other arguments, are left to Liquid", () => {
    for (const source of [
      "{{ input.n | upcase }}",
      "{{ input.n | times: 2 | default: 1 }}",
      "{{ input.n | map: 'x' | sum }}",
      "{{ input.n | divided_by: 2, true }}",
      "{{ input.n | times: nil }}",
      "{{ input.n | times: input.items.size }}",
      "{{ input.n | times: input[input.k] }}",
      "{{ 5 | times: 2 }}",
    ]) {
      expect(plainOf(source)).toBeUndefined();
    }
  });

  test("filters, operators, variable keys, negative indexes, special keys and literals do not", () => {
    for (const source of [
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

describe("plain paths through math filters give Liquid's value", () => {
  const values: Record<string, unknown> = {
    zero: 0,
    one: 1,
    negative: -2.5,
    fraction: 0.1,
    huge: 1e21,
    numeric: "3",
    padded: " 4 ",
    exponent: "1e3",
    word: "abc",
    empty: "",
    none: null,
    yes: true,
    no: false,
    list: [1, 2],
    emptyList: [],
    object: { a: 1 },
  };
  const context = { ...makeContext(), input: values };
  const subjects = [...Object.keys(values), "missing"].map((key) => `input.${key}`);
  const argumentForms = [
    "",
    ": 2",
    ": -3",
    ": 0",
    ": 1.5",
    ": '4'",
    ": 'x'",
    ": input.numeric",
    ": input.none",
    ": 7, input.yes",
  ];
  const filters = [
    "abs",
    "at_least",
    "at_most",
    "ceil",
    "divided_by",
    "floor",
    "minus",
    "modulo",
    "plus",
    "round",
    "times",
  ];
  const single = filters.flatMap((filter) => argumentForms.map((args) => `${filter}${args}`));

  const agrees = (expression: string) =>
    expect(compileValue(`{{ ${expression} }}`).render(context)).toEqual(
      byLiquid(expression, context) as never,
    );

  test(`every math filter with every argument form, on ${subjects.length} kinds of value`, () => {
    for (const subject of subjects) for (const filter of single) agrees(`${subject} | ${filter}`);
  });

  test("chains of two and three filters", () => {
    let seed = 7;
    const pick = <T>(items: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return items[seed % items.length] as T;
    };
    for (let i = 0; i < 600; i++) {
      const chain = Array.from({ length: 2 + (i % 2) }, () => pick(single)).join(" | ");
      agrees(`${pick(subjects)} | ${chain}`);
    }
  });

  test("a value on the way that is not plain data is left to Liquid", () => {
    const drops = { ...context, input: { ...values, drop: new Shouting(), date: new Date(0) } };
    for (const expression of [
      "input.drop.five | plus: 1",
      "input.one | plus: input.drop.x",
      "input.date | times: 1",
    ]) {
      expect(compileValue(`{{ ${expression} }}`).render(drops)).toEqual(byLiquid(expression, drops) as never);
    }
  });
});
