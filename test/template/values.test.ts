import { describe, expect, test } from "bun:test";
import { compileValue, isTemplate, TemplateError } from "../../src/template/index.ts";
import { makeContext } from "./context.ts";

const render = (value: unknown, context = makeContext()) => compileValue(value).render(context);

describe("isTemplate", () => {
  test("detects output and tag markup", () => {
    expect(isTemplate("{{ input.a }}")).toBe(true);
    expect(isTemplate("{% if x %}y{% endif %}")).toBe(true);
    expect(isTemplate("plain text")).toBe(false);
    expect(isTemplate("a { b } and % c")).toBe(false);
  });
});

describe("typed single expressions", () => {
  test("the order total keeps its number type", () => {
    const total = render("{{ input.items | map: 'quantity * price' | sum | times: 1.08 }}");
    expect(typeof total).toBe("number");
    expect(total as number).toBeCloseTo(64.8, 10);
  });

  test("objects, arrays, booleans, strings and null keep their type", () => {
    expect(render("{{ steps.create-invoice.output.body }}")).toEqual({
      id: "in_1",
      number: "INV-7",
      lines: [1, 2],
    });
    expect(render("{{ input.items | map: 'name' }}")).toEqual(["pen", "pad"]);
    expect(render("{{ steps.calculate-total.output.total > 0 }}")).toBe(true);
    expect(render("{{ input.customerId }}")).toBe("cus_123");
    expect(render("{{ nil }}")).toBeNull();
    expect(render("{{ 42 }}")).toBe(42);
  });

  test("whitespace around the expression and trim markers still give a typed value", () => {
    expect(render("  {{ steps.calculate-total.output.subtotal }}\n")).toBe(60);
    expect(render("{{- steps.calculate-total.output.subtotal -}}")).toBe(60);
    expect(render("\n  {{- input.items | size -}}  \n")).toBe(2);
  });

  test("an output object is the context's own value, not a re-parsed copy", () => {
    const context = makeContext();
    const body = context.steps["create-invoice"]?.output as { body: unknown };
    expect(render("{{ steps.create-invoice.output.body }}", context)).toBe(body.body);
  });

  test("comparisons and logic evaluate inside {{ }}", () => {
    const context = makeContext({ input: { a: "x", b: true, n: 0 } });
    expect(render("{{ input.a == 'x' and input.b }}", context)).toBe(true);
    expect(render("{{ input.a == 'y' or input.n > 0 }}", context)).toBe(false);
    expect(render("{{ input.a != 'x' }}", context)).toBe(false);
  });

  test("a missing path is null, not an error", () => {
    expect(render("{{ input.nothing }}")).toBeNull();
    expect(render("{{ steps.unknown-step.output.body.id }}")).toBeNull();
    expect(render("{{ input.customerId.deeper.still }}")).toBeNull();
  });
});

describe("text rendering", () => {
  test("mixed text renders as a string", () => {
    expect(render("Order confirmed - invoice {{ steps.create-invoice.output.body.number }}")).toBe(
      "Order confirmed - invoice INV-7",
    );
    expect(render("<p>Total: {{ steps.calculate-total.output.total }}</p>")).toBe("<p>Total: 64.8</p>");
    expect(render("{{ input.customerId }}{{ env.REGION }}")).toBe("cus_123eu");
  });

  test("a missing path renders empty", () => {
    expect(render("Hello {{ input.name }}!")).toBe("Hello !");
  });

  test("objects render as JSON and arrays are joined, as in Liquid", () => {
    expect(render("body={{ steps.create-invoice.output.body }}")).toBe(
      'body={"id":"in_1","number":"INV-7","lines":[1,2]}',
    );
    expect(render("lines={{ steps.create-invoice.output.body.lines }}")).toBe("lines=12");
  });

  test("tags work: if, for, assign, capture", () => {
    const template =
      "{% assign n = input.items | size %}{% for item in input.items %}{{ item.name }}{% unless forloop.last %},{% endunless %}{% endfor %} ({{ n }}){% if input.customerId %}!{% endif %}";
    expect(render(template)).toBe("pen,pad (2)!");
    expect(render("{% capture who %}{{ run.workflowId }}/{{ run.id }}{% endcapture %}[{{ who }}]")).toBe(
      "[process-order/run_01]",
    );
  });

  test("raw blocks keep markup literally", () => {
    expect(render("{% raw %}{{ not.rendered }}{% endraw %}")).toBe("{{ not.rendered }}");
  });

  test("secrets, env and run are visible", () => {
    expect(render("Bearer {{ secrets.STRIPE_KEY }}")).toBe("Bearer sk_test_1");
    expect(render("{{ run.trigger.type }}-{{ env.REGION }}")).toBe("api-eu");
  });

  test("dates format in UTC, with English names", () => {
    expect(render("{{ run.createdAt | date: '%Y-%m-%d %H:%M' }}")).toBe("2026-01-15 10:00");
    expect(render("{{ run.createdAt | date: '%a %d %b' }}")).toBe("Thu 15 Jan");
  });
});

describe("compileValue over trees", () => {
  test("objects and arrays render each string, keeping keys and non-strings", () => {
    const compiled = compileValue({
      customer: "{{ input.customerId }}",
      amount: "{{ steps.calculate-total.output.total }}",
      lines: ["{{ input.items | size }}", 3, true, null, { note: "n={{ input.items[0].name }}" }],
      "{{ key }}": "fixed",
    });
    expect(compiled.render(makeContext())).toEqual({
      customer: "cus_123",
      amount: 64.8,
      lines: [2, 3, true, null, { note: "n=pen" }],
      "{{ key }}": "fixed",
    });
  });

  test("a value without markup is returned as it is", () => {
    const value = { method: "POST", url: "/v1/invoices", headers: { a: "b" }, retries: [1, 2] };
    expect(compileValue(value).render(makeContext())).toBe(value);
    expect(compileValue("plain").render(makeContext())).toBe("plain");
    expect(compileValue(7).render(makeContext())).toBe(7);
    expect(compileValue(null).render(makeContext())).toBeNull();
  });

  test("constant subtrees inside a templated value are kept by reference", () => {
    const headers = { accept: "application/json" };
    const result = compileValue({ headers, url: "/c/{{ input.customerId }}" }).render(makeContext()) as {
      headers: unknown;
    };
    expect(result.headers).toBe(headers);
  });

  test("compiled once, rendered with different contexts", () => {
    const compiled = compileValue({ id: "{{ input.id }}", text: "id {{ input.id }}" });
    expect(compiled.render(makeContext({ input: { id: 1 } }))).toEqual({ id: 1, text: "id 1" });
    expect(compiled.render(makeContext({ input: { id: "two" } }))).toEqual({ id: "two", text: "id two" });
    expect(compiled.render(makeContext({ input: {} }))).toEqual({ id: null, text: "id " });
  });

  test("a syntax error is reported at compile time with the path of the string", () => {
    const compile = () => compileValue({ json: { amount: "{{ input.total | mapp }}" } });
    expect(compile).toThrow(TemplateError);
    expect(compile).toThrow('json.amount: template "{{ input.total | mapp }}": unknown filter "mapp"');
    expect(() => compileValue(["ok", "{{ oops"])).toThrow(
      '[1]: template "{{ oops": output "{{ oops" not closed',
    );
  });

  test("assign in one string does not leak into the next", () => {
    const compiled = compileValue({ a: "{% assign x = 1 %}{{ x }}", b: "[{{ x }}]" });
    expect(compiled.render(makeContext())).toEqual({ a: "1", b: "[]" });
  });

  test("increment does not modify the caller's context", () => {
    const context = makeContext();
    const input = context.input;
    expect(render("{% increment input %}{% increment input %}", context)).toBe("01");
    expect(context.input).toBe(input);
    expect(render("{{ input.customerId }}", context)).toBe("cus_123");
  });
});
