import { describe, expect, test } from "bun:test";
import { compileValue, TemplateError } from "../../src/template/index.ts";
import { makeContext } from "./context.ts";

const withInput = (input: unknown) => makeContext({ input });
const render = (template: string, input: unknown) => compileValue(template).render(withInput(input));

describe("map with expressions", () => {
  const items = [
    { quantity: 2, price: 10, name: "pen", tags: ["a", "b"], meta: { "first-name": "Ada" } },
    { quantity: 5, price: 8, name: "pad", tags: [], meta: {} },
  ];

  test("arithmetic per item", () => {
    expect(render("{{ input | map: 'quantity * price' }}", items)).toEqual([20, 40]);
    expect(render("{{ input | map: 'price - quantity % 2' }}", items)).toEqual([10, 7]);
    expect(render("{{ input | map: '(price + 1) / 2' }}", items)).toEqual([5.5, 4.5]);
    expect(render("{{ input | map: '-price' }}", items)).toEqual([-10, -8]);
  });

  test("a plain property name plucks, like Liquid's map", () => {
    expect(render("{{ input | map: 'name' }}", items)).toEqual(["pen", "pad"]);
    expect(render("{{ input | map: 'meta.missing' }}", items)).toEqual([null, null]);
  });

  test("member access with dots, indexes and quoted keys", () => {
    expect(render("{{ input | map: 'tags[0]' }}", items)).toEqual(["a", null]);
    expect(render("{{ input | map: \"meta['first-name']\" }}", items)).toEqual(["Ada", null]);
    expect(render("{{ input | map: 'tags.length' }}", items)).toEqual([2, 0]);
    expect(render("{{ input | map: 'name[0]' }}", items)).toEqual(["p", "p"]);
  });

  test("comparison, logic and conditional", () => {
    expect(render("{{ input | map: 'quantity > 2' }}", items)).toEqual([false, true]);
    expect(render("{{ input | map: \"name == 'pen' && price >= 10\" }}", items)).toEqual([true, false]);
    expect(render("{{ input | map: \"quantity > 2 ? 'bulk' : 'single'\" }}", items)).toEqual([
      "single",
      "bulk",
    ]);
    expect(render("{{ input | map: '!tags.length || meta.x' }}", items)).toEqual([null, true]);
    expect(render("{{ input | map: \"meta.x ?? 'none'\" }}", items)).toEqual(["none", "none"]);
  });

  test("== is strict: no type coercion", () => {
    expect(render("{{ input | map: \"quantity == '2'\" }}", items)).toEqual([false, false]);
    expect(render("{{ input | map: 'quantity == 2' }}", items)).toEqual([true, false]);
  });

  test("item is the element itself, useful for lists of primitives", () => {
    expect(render("{{ input | map: 'item * 2' }}", [1, 2, 3])).toEqual([2, 4, 6]);
    expect(render("{{ input | map: 'item.name' }}", items)).toEqual(["pen", "pad"]);
    expect(render("{{ input | map: 'item' }}", [{ item: "own" }, "x"])).toEqual(["own", "x"]);
  });

  test("results JSON cannot hold become null", () => {
    expect(render("{{ input | map: 'missing * 2' }}", [{}])).toEqual([null]);
    expect(render("{{ input | map: 'a / 0' }}", [{ a: 1 }])).toEqual([null]);
  });

  test("nil maps to an empty list and a single object to a list of one", () => {
    expect(render("{{ input.none | map: 'a' }}", {})).toEqual([]);
    expect(render("{{ input | map: 'a' }}", { a: 1 })).toEqual([1]);
  });

  test("the expression may come from data and is checked the same way", () => {
    expect(render("{{ input.items | map: input.expr }}", { items: [{ a: 3 }], expr: "a * 3" })).toEqual([9]);
    const bad = () => render("{{ input.items | map: input.expr }}", { items: [{ a: 3 }], expr: "a()" });
    expect(bad).toThrow(TemplateError);
    expect(bad).toThrow('map expression "a()": function calls are not allowed');
  });

  test("a non-string argument is a clear error", () => {
    expect(() => render("{{ input | map: 5 }}", [1])).toThrow("map needs an expression in quotes");
  });

  test("the map results feed the next filters", () => {
    expect(render("{{ input | map: 'quantity * price' | sum }}", items)).toBe(60);
    expect(render("{{ input | map: 'name' | join: ', ' }}", items)).toBe("pen, pad");
    expect(render("Total {{ input | map: 'quantity * price' | sum }}", items)).toBe("Total 60");
  });
});

describe("sum, json, default", () => {
  test("sum adds numbers, optionally of one property", () => {
    expect(render("{{ input | sum }}", [1, 2.5, 3])).toBe(6.5);
    expect(render("{{ input | sum: 'price' }}", [{ price: 10 }, { price: 8 }, {}])).toBe(18);
    expect(render("{{ input.none | sum }}", {})).toBe(0);
  });

  test("json stringifies any value", () => {
    expect(render("{{ input | json }}", { a: [1, "x"], b: null })).toBe('{"a":[1,"x"],"b":null}');
    expect(render("payload={{ input | json }}", 'q"uote')).toBe('payload="q\\"uote"');
  });

  test("default keeps Liquid's semantics", () => {
    expect(render("{{ input.none | default: 'usd' }}", {})).toBe("usd");
    expect(render("{{ input.c | default: 'usd' }}", { c: "eur" })).toBe("eur");
    expect(render("{{ input.c | default: 'usd' }}", { c: "" })).toBe("usd");
    expect(render("{{ input.c | default: 5 }}", { c: 0 })).toBe(0);
    expect(render("{{ input.c | default: true }}", { c: false })).toBe(true);
    expect(render("{{ input.c | default: true, allow_false: true }}", { c: false })).toBe(false);
  });

  test("standard Liquid filters are available", () => {
    expect(render("{{ input | upcase | append: '!' }}", "hi")).toBe("HI!");
    expect(render("{{ input | where: 'ok', true | map: 'id' }}", [{ id: 1, ok: true }, { id: 2 }])).toEqual([
      1,
    ]);
    expect(render("{{ input | sort: 'n' | first }}", [{ n: 2 }, { n: 1 }])).toEqual({ n: 1 });
  });
});
