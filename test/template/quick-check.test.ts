import { describe, expect, test } from "bun:test";
import { findParsedProblems } from "../../src/template/check.ts";
import { findTemplateErrors } from "../../src/template/index.ts";
import { liquid } from "../../src/template/liquid.ts";
import { isSoundWithoutLiquid } from "../../src/template/quick-check.ts";

/** Liquid's own verdict: its parser plus wfd's checks of parsed templates. */
function liquidProblems(source: string): string[] {
  try {
    return findParsedProblems(liquid.parse(source));
  } catch (error) {
    return [(error as Error).message];
  }
}

const VALUES = [
  "a",
  "_b",
  "and",
  "or",
  "not",
  "contains",
  "and-x",
  "in",
  "empty",
  "nil",
  "true",
  "input.items[0].price",
  "steps.calculate-total.output.total",
  "a..b",
  "a.0",
  "a[-1]",
  "a.b-",
  "1",
  "-2.5",
  "1.2.3",
  "'q'",
  '"dq"',
  "'it''s'",
  "'a\\'b'",
  "'}}'",
  "'|'",
  "a b",
  "a == b",
  "(1..3)",
  "a[b]",
  "android",
  "order.notes",
  "contains_x",
  "or_b",
];
const FILTERS = [
  "",
  " | upcase",
  "|upcase",
  " | size | plus: 1",
  " | times: 1.08 | round: 2",
  " | default: 'x'",
  " | append: input.x, 'y'",
  " | map: 'quantity * price' | sum",
  ' | map: "a.b + 1"',
  " | map: 'a +'",
  " | map: 'f(1)'",
  " | map: a",
  " | map: 'a', 'b'",
  " | map",
  " | nosuch",
  " | Upcase",
  " | truncate: 5, '..'",
  " | slice: -1",
  " | date: '%Y'",
  " | default: x: 1",
  " |",
  " | upcase:",
  " | plus: 1,",
  " | json | ",
  " == 1",
  " != blank and b > 0",
  " contains 'x'",
  " <> nil or c",
  " == nil or c",
  " >= -1.5 and d <= e",
  " ==",
  " == and",
  " and or b",
  "==1",
  " = 1",
  " === 1",
  " > 0 | upcase",
  " not b",
  " == (1..2)",
  " and not b",
  " or",
  " == b ==",
  " == b and c | upcase",
  " < 'x' or d contains e",
];
const WRAPS: [string, string][] = [
  ["{{ ", " }}"],
  ["{{", "}}"],
  ["{{- ", " -}}"],
  ["Total: {{ ", " }} {{ input.currency }}"],
  ["{{ a }}{{ ", " }}}"],
  ["{{{ ", " }}"],
  ["{% if x %}{{ ", " }}{% endif %}"],
  ["{{ ", " }} {{ b"],
  ["x }} {{ ", " }}"],
];

describe("templates the validator passes without Liquid's parser", () => {
  test("are only ones in which Liquid finds no problem", () => {
    let passed = 0;
    let total = 0;
    for (const value of VALUES) {
      for (const filters of FILTERS) {
        for (const [open, close] of WRAPS) {
          const source = `${open}${value}${filters}${close}`;
          total++;
          if (!isSoundWithoutLiquid(source)) continue;
          passed++;
          expect({ source, problems: liquidProblems(source) }).toEqual({ source, problems: [] });
        }
      }
    }
    // Many of the generated templates are broken on purpose; a good share must still pass.
    expect(passed).toBeGreaterThan(total * 0.12);
  });

  test("the templates of the example workflows take the quick way", () => {
    const sources = [
      "{{ input.items | map: 'quantity * price' | sum | times: 1.08 | round: 2 }}",
      "{{ input.items | size }}",
      "{{ env.BILLING_URL }}/v1/invoices",
      "Bearer {{ secrets.BILLING_KEY }}",
      "Order for {{ input.customerId }}: {{ steps.calculate-total.output.lines }} line(s)",
      "{{ input.currency | upcase }}",
      "{{ env.BILLING_URL != blank and steps.calculate-total.output.total > 0 }}",
      "{{ steps.create-invoice.status == 'completed' }}",
    ];
    for (const source of sources)
      expect({ source, quick: isSoundWithoutLiquid(source) }).toEqual({ source, quick: true });
  });

  test("problems are still found, by Liquid", () => {
    expect(findTemplateErrors("{{ and }}")).toEqual([
      'template: invalid expression "and": a value or an operator is missing',
    ]);
    expect(findTemplateErrors("{{ a | map: 'f(1)' }}")[0]).toStartWith("template: ");
    expect(findTemplateErrors("{{ a | nosuch }}")[0]).toContain("nosuch");
  });
});
