import { describe, expect, test } from "bun:test";
import { compileCondition } from "../../src/template/index.ts";
import { parseWorkflowFile } from "../../src/workflows/index.ts";
import { makeContext } from "../template/context.ts";
import { definitionOf, problemsOf } from "./helpers.ts";

const STEPS = "name: x\nsteps:\n  - id: a\n    type: fail\n";

describe("templates", () => {
  test("syntax errors are reported at the string, in config, if, output and schedule input", () => {
    const yaml = `name: x
steps:
  - id: a
    type: transform
    if: "{{ input.ok "
    config:
      mapping: { list: ["fine {{ input.a }}", "{{ input.b | nosuchfilter }}"] }
output: "{% bogus %}"
trigger:
  type: schedule
  cron: "0 * * * *"
  input: { day: "{{ 'now' | date: }" }
`;
    const problems = problemsOf(yaml);
    expect(problems.map((problem) => problem.split(": template:")[0])).toEqual([
      '5:9: step "a" if',
      '7:47: step "a" config.mapping.list[1]',
      "8:9: output",
      "12:17: trigger.input.day",
    ]);
    expect(problems[1]).toEndWith('template: unknown filter "nosuchfilter"');
    expect(problems[2]).toEndWith('template: unknown tag "bogus"');
  });

  test("an if without markup must say true or false, as the run requires: reported at the value", () => {
    const rule = 'a condition must be "true", "false" or a {{ expression }}';
    expect(problemsOf(`${STEPS}    if: yes\n`)).toEqual([
      `5:9: step "a" if: template "yes": ${rule} (YAML 1.2 reads yes as text: write true or false)`,
    ]);
    expect(problemsOf(`${STEPS}    if: input.total > 0\n`)).toEqual([
      `5:9: step "a" if: template "input.total > 0": ${rule}`,
    ]);
    expect(problemsOf(`${STEPS}    if: ""\n`)).toEqual([`5:9: step "a" if: template "": ${rule}`]);
    expect(problemsOf(`${STEPS}    if: 1\n`)).toEqual([
      '5:9: step "a" if: must be true, false or a {{ expression }}',
    ]);
  });

  test("if: true and if: false (YAML booleans or text) are valid and mean what they say", () => {
    for (const [written, value] of [
      ["true", true],
      ["false", false],
      ['"true"', true],
      ["' false '", false],
    ] as const) {
      const condition = definitionOf(`${STEPS}    if: ${written}\n`).steps[0]?.if as string;
      expect({ written, value: compileCondition(condition).evaluate(makeContext({})) }).toEqual({
        written,
        value,
      });
    }
  });

  test("a tag without its expression is not called an empty output", () => {
    expect(problemsOf(`${STEPS}output: { a: "{% if %}x{% endif %}", b: "{{ }}" }\n`)).toEqual([
      '5:14: output.a: template: tag "if" is missing its expression',
      "5:41: output.b: template: empty output {{ }}",
    ]);
  });

  test("templates elsewhere are not checked: a description may contain braces", () => {
    expect(problemsOf(`description: "Use {{ like this"\n${STEPS}`)).toEqual([]);
  });
});

describe("inputSchema", () => {
  test("every problem the meta-schema finds is reported at its own node", () => {
    const yaml = `${STEPS}inputSchema:
  type: objekt
  required: a
  properties:
    a: { minimum: "1", type: [strin] }
    b: [1]
`;
    const allowed =
      "must be equal to one of the allowed values (array, boolean, integer, null, number, object, string)";
    expect(problemsOf(yaml)).toEqual([
      `6:9: inputSchema.type: ${allowed} or must be array`,
      "7:13: inputSchema.required: must be array",
      "9:19: inputSchema.properties.a.minimum: must be number",
      `9:31: inputSchema.properties.a.type[0]: ${allowed}`,
      "10:8: inputSchema.properties.b: must be object or boolean",
    ]);
  });

  test("misspelt keywords, unknown formats, bad patterns and references: each one, at its node", () => {
    const yaml = `${STEPS}inputSchema:
  type: object
  requird: [a]
  properties:
    a: { type: string, formt: x, format: emial }
    b: { pattern: "([" }
    c: { $ref: "#/definitions/nope" }
    d: { $ref: "#/definitions/ok" }
    e: { $ref: "other.json" }
  patternProperties:
    "(x": {}
  definitions:
    ok: { type: string }
`;
    expect(problemsOf(yaml)).toEqual([
      '7:3: unknown key "requird" in inputSchema (did you mean "required"?)',
      '9:24: unknown key "formt" in inputSchema.properties.a (did you mean "format"?)',
      '9:42: inputSchema.properties.a.format: unknown format "emial" (did you mean "email"?)',
      '10:19: inputSchema.properties.b.pattern: invalid regular expression "([": missing terminating ] for character class',
      '11:16: inputSchema.properties.c["$ref"]: can\'t resolve reference #/definitions/nope from id #',
      '13:16: inputSchema.properties.e["$ref"]: can\'t resolve reference other.json from id #',
      '15:5: inputSchema.patternProperties["(x"]: invalid regular expression "(x": missing )',
    ]);
  });

  test("unknown keywords are found wherever a subschema may be, and only there", () => {
    const yaml = `${STEPS}inputSchema:
  properties: { minimun: { type: object, default: { notAKeyword: 1 }, enum: [{ alsoNot: 1 }] } }
  items: [{ tpye: string }]
  additionalProperties: { maxLenght: 3 }
  definitions: { x: { anyOf: [{ nto: {} }] } }
`;
    expect(problemsOf(yaml)).toEqual([
      '7:13: unknown key "tpye" in inputSchema.items[0] (did you mean "type"?)',
      '8:27: unknown key "maxLenght" in inputSchema.additionalProperties (did you mean "maxLength"?)',
      '9:33: unknown key "nto" in inputSchema.definitions.x.anyOf[0] (did you mean "not"?)',
    ]);
  });

  test("what only compiling finds is reported at the inputSchema node, in Ajv's words", () => {
    expect(problemsOf(`${STEPS}inputSchema: { if: { type: string } }\n`)).toEqual([
      '5:14: inputSchema: invalid JSON Schema: strict mode: "if" without "then" and "else" is ignored',
    ]);
  });

  test("$schema may only name draft-07", () => {
    expect(
      problemsOf(`${STEPS}inputSchema: { $schema: "https://json-schema.org/draft/2020-12/schema" }\n`),
    ).toEqual([
      '5:25: inputSchema["$schema"]: no schema with key or ref "https://json-schema.org/draft/2020-12/schema"',
    ]);
    expect(
      problemsOf(`${STEPS}inputSchema: { $schema: "http://json-schema.org/draft-07/schema#" }\n`),
    ).toEqual([]);
  });

  test("must be a mapping", () => {
    expect(problemsOf(`${STEPS}inputSchema: [a]\n`)).toEqual([
      "5:14: inputSchema: must be a mapping (key: value pairs)",
    ]);
  });

  test("reloading a file whose schema has an $id works (the id is not held from the first load)", () => {
    const yaml = `${STEPS}inputSchema: { $id: "https://example.com/order", type: object }\n`;
    expect(parseWorkflowFile("x.yaml", yaml).problems).toEqual([]);
    expect(parseWorkflowFile("x.yaml", `${yaml}# edited\n`).problems).toEqual([]);
  });
});
