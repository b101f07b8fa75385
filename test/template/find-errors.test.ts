import { describe, expect, test } from "bun:test";
import { findTemplateErrors } from "../../src/template/index.ts";

describe("findTemplateErrors", () => {
  test("valid templates and plain strings have no errors", () => {
    expect(findTemplateErrors("plain text, even with } and %")).toEqual([]);
    expect(findTemplateErrors("{{ input.items | map: 'quantity * price' | sum | times: 1.08 }}")).toEqual([]);
    expect(findTemplateErrors("{{ steps.calculate-total.output.total > 0 }}")).toEqual([]);
    expect(findTemplateErrors("{%- if input.a -%}{{- input.a -}}{%- endif -%}")).toEqual([]);
    expect(findTemplateErrors("{{ input.items | map: input.expression }}")).toEqual([]);
    expect(findTemplateErrors("{% raw %}{{ oops {% endraw %}")).toEqual([]);
  });

  test("unclosed outputs and tags", () => {
    expect(findTemplateErrors("Hello {{ input.name")).toEqual([
      'template: output "{{ input.name" not closed',
    ]);
    expect(findTemplateErrors("{% if input.a %}yes")).toEqual(["template: tag {% if input.a %} not closed"]);
    expect(findTemplateErrors("{{ 'abc }}")).toEqual(['template: output "{{ \'abc }}" not closed']);
  });

  test("unknown filters and tags", () => {
    expect(findTemplateErrors("{{ input.items | mapp: 'a' }}")).toEqual(['template: unknown filter "mapp"']);
    expect(findTemplateErrors("{% loop x %}")).toEqual(['template: unknown tag "loop"']);
    expect(findTemplateErrors("{% endif %}")).toEqual(['template: unknown tag "endif"']);
    expect(findTemplateErrors("{% include 'x' %}")).toEqual([
      'template: tag "include" is not supported: templates cannot read files',
    ]);
  });

  test("bad and forbidden map expressions, in outputs and in tags", () => {
    expect(findTemplateErrors("{{ input.items | map: 'quantity *' }}")).toEqual([
      'template: map expression "quantity *": Expected expression after * at character 10',
    ]);
    expect(findTemplateErrors("{% if input | map: 'a()' %}x{% endif %}")).toEqual([
      'template: map expression "a()": function calls are not allowed',
    ]);
    expect(findTemplateErrors("{% for x in a %}{{ x | map: '__proto__.a' }}{% endfor %}")).toEqual([
      'template: map expression "__proto__.a": "__proto__" is not allowed',
    ]);
    expect(findTemplateErrors("{{ a | map }}")).toEqual([
      "template: map needs exactly one expression, e.g. map: 'price * quantity'",
    ]);
  });

  test("every map problem of a template is reported", () => {
    expect(findTemplateErrors("{{ a | map: 'x(' }} {{ b | map: 'y.constructor' }}")).toHaveLength(2);
  });

  test("outputs Liquid would misread", () => {
    expect(findTemplateErrors("{{ input.a input.b }}")).toEqual([
      'template: invalid expression "input.a input.b": a value or an operator is missing',
    ]);
    expect(findTemplateErrors("{{ input.a == }}")).toEqual([
      'template: invalid expression "input.a ==": a value or an operator is missing',
    ]);
    expect(findTemplateErrors("{% if a and b %}x{% elsif c == %}y{% endif %}")).toEqual([
      'template: invalid expression "c ==": a value or an operator is missing',
    ]);
    expect(findTemplateErrors("{{ input.a ) }}")).toEqual(['template: unexpected ")" in {{ input.a ) }}']);
    expect(findTemplateErrors("{{ }}")).toEqual(["template: empty output {{ }}"]);
  });

  test("an empty output and a tag without its expression are told apart", () => {
    expect(findTemplateErrors("{{}} and {{- -}}")).toEqual(["template: empty output {{ }}"]);
    expect(findTemplateErrors("{% if a %}{{ }}{% endif %}")).toEqual(["template: empty output {{ }}"]);
    expect(findTemplateErrors("{% if %}yes{% endif %}")).toEqual([
      'template: tag "if" is missing its expression',
    ]);
    expect(findTemplateErrors("{{ a }}{%- unless -%}x{% endunless %}")).toEqual([
      'template: tag "unless" is missing its expression',
    ]);
    expect(findTemplateErrors("{% if a %}x{% elsif %}y{% endif %}")).toEqual([
      'template: tag "elsif" is missing its expression',
    ]);
    expect(findTemplateErrors("{% case %}{% when 1 %}x{% endcase %}")).toEqual([
      'template: tag "case" is missing its expression',
    ]);
    expect(findTemplateErrors("{% assign x = %}")).toEqual([
      'template: tag "assign" is missing its expression',
    ]);
  });

  test("in a {% liquid %} block, the tag is the line's", () => {
    expect(findTemplateErrors("{% liquid\n  if\n  endif %}")).toEqual([
      'template: tag "if" is missing its expression (line 2, col 5)',
    ]);
    expect(findTemplateErrors("{% liquid assign x = %}")).toEqual([
      'template: tag "assign" is missing its expression',
    ]);
  });

  test("multi-line templates say where the problem is", () => {
    expect(findTemplateErrors("<p>\n  {{ input.total | nope }}\n</p>")).toEqual([
      'template: unknown filter "nope" (line 2, col 3)',
    ]);
  });
});
