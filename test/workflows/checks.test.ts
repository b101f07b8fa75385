import { describe, expect, test } from "bun:test";
import { parseWorkflowFile } from "../../src/workflows/index.ts";
import { problemsOf } from "./helpers.ts";

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

  test("templates elsewhere are not checked: a description may contain braces", () => {
    expect(problemsOf(`description: "Use {{ like this"\n${STEPS}`)).toEqual([]);
  });
});

describe("inputSchema", () => {
  test("a schema Ajv cannot compile is a problem at the inputSchema node", () => {
    const yaml = `${STEPS}inputSchema:\n  type: objekt\n`;
    const [problem, ...rest] = problemsOf(yaml);
    expect(rest).toEqual([]);
    expect(problem).toStartWith(
      "6:3: inputSchema: invalid JSON Schema: schema is invalid: data/type must be equal",
    );
  });

  test("misspelt keywords and unknown formats are reported instead of validating nothing", () => {
    expect(problemsOf(`${STEPS}inputSchema: { type: object, minProperties: 1, maxProperites: 3 }\n`)).toEqual(
      ['5:14: inputSchema: invalid JSON Schema: strict mode: unknown keyword: "maxProperites"'],
    );
    expect(problemsOf(`${STEPS}inputSchema: { properties: { a: { format: emial } } }\n`)).toEqual([
      '5:14: inputSchema: invalid JSON Schema: unknown format "emial" ignored in schema at path "#/properties/a"',
    ]);
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
