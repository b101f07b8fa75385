import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readPlainMapping } from "../../src/workflows/fast-yaml.ts";
import { parseWorkflowFile } from "../../src/workflows/index.ts";
import { problemsOf } from "./helpers.ts";

/** A valid file's start: problems in the tests below are on the lines after it (line 4 onwards). */
const HEAD = "name: Test\nsteps:\n  - id: a\n    type: fail\n";

describe("the file as a whole", () => {
  test("an empty file, or one with only comments, is one problem at 1:1", () => {
    const message = '1:1: file is empty: a workflow needs at least "name" and "steps"';
    expect(problemsOf("")).toEqual([message]);
    expect(problemsOf("# just a comment\n")).toEqual([message]);
  });

  test("a document that is not a mapping", () => {
    expect(problemsOf("- a\n- b\n")).toEqual([
      "1:1: a workflow file must be a mapping (key: value pairs), found a list",
    ]);
    expect(problemsOf("\n\nhello\n")).toEqual([
      "3:1: a workflow file must be a mapping (key: value pairs), found a string",
    ]);
  });

  test("bytes that are not UTF-8 are one problem naming the line", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("name: x\nsteps: "), 0xff, 0xfe, 0x0a]);
    expect(problemsOf(bytes)).toEqual(["2:1: file is not valid UTF-8 text (invalid bytes on line 2)"]);
  });

  test("a YAML syntax error is reported where it is, and stops further checks", () => {
    expect(problemsOf("name: x\nstpes:\n  - id: a\n   type: b\n")).toEqual([
      "4:1: YAML syntax error: Sequence item without - indicator",
    ]);
    expect(problemsOf("name: x\n\tsteps: []\n")).toEqual([
      "2:1: YAML syntax error: Tabs are not allowed as indentation",
    ]);
  });

  test("a second YAML document is a syntax error", () => {
    expect(problemsOf(`${HEAD}---\nname: other\n`)).toEqual([
      "5:1: YAML syntax error: a workflow file holds one YAML document (remove the extra ---)",
    ]);
  });

  test("duplicate keys are reported at the repeated key, and the rest is still checked", () => {
    expect(problemsOf(`${HEAD}    type: fail\nname: Again\nconcurrency: -1\n`)).toEqual([
      '5:5: duplicate key "type"',
      '6:1: duplicate key "name"',
      "7:14: concurrency: must be a positive integer",
    ]);
  });

  test("a file name that is not a valid id needs an `id:`", () => {
    expect(problemsOf(HEAD, "sub/my flow.yaml")).toEqual([
      '1:1: the file name gives the workflow id "my flow", which must start with a letter or digit and contain only letters, digits, _ and -; rename the file or set "id:"',
    ]);
    expect(problemsOf(`id: my-flow\n${HEAD}`, "sub/my flow.yaml")).toEqual([]);
  });
});

describe("keys", () => {
  test("unknown keys at every level, at the key, with a suggestion when close", () => {
    const yaml = `nmae: x
${HEAD}    nedds: []
    retry: { attempts: 2, dealy: 1s }
    config: { mesage: boom, zzz: 1 }
trigger:
  - type: schedule
    cron: "0 * * * *"
    timzone: UTC
  - type: form
    fields: [{ name: a, lable: A }]
`;
    expect(problemsOf(yaml)).toEqual([
      '1:1: unknown key "nmae" (did you mean "name"?)',
      '6:5: unknown key "nedds" in step "a" (did you mean "needs"?)',
      '7:27: unknown key "dealy" in step "a" retry (did you mean "delay"?)',
      '8:15: unknown key "mesage" in step "a" config (did you mean "message"?)',
      '8:29: unknown key "zzz" in step "a" config',
      '12:5: unknown key "timzone" in trigger[0] (did you mean "timezone"?)',
      '14:25: unknown key "lable" in trigger[1].fields[0] (did you mean "label"?)',
    ]);
  });

  test("required keys: name, steps, step id and type, per-type config keys", () => {
    expect(problemsOf("description: nothing else\n")).toEqual([
      '1:1: missing required key "name"',
      '1:1: missing required key "steps"',
    ]);
    expect(problemsOf("name: x\nsteps:\n  - type: fail\n  - id: b\n")).toEqual([
      '3:5: missing required key "id" in steps[0]',
      '4:5: missing required key "type" in step "b"',
    ]);
    expect(problemsOf("name: x\nsteps:\n  - id: t\n    type: transform\n    config: {}\n")).toEqual([
      '5:13: missing required key "mapping" in step "t" config',
    ]);
  });

  test("steps must be a non-empty list of mappings", () => {
    expect(problemsOf("name: x\nsteps: []\n")).toEqual(["2:8: steps: must contain at least one step"]);
    expect(problemsOf("name: x\nsteps: run-everything\n")).toEqual(["2:8: steps: must be a list of steps"]);
    expect(problemsOf("name: x\nsteps:\n  - just text\n")).toEqual([
      "3:5: steps[0]: must be a mapping with at least id and type",
    ]);
  });

  test("an empty value is reported at its key", () => {
    expect(problemsOf("name:\nsteps:\n  - id: a\n    type: fail\n")).toEqual(["1:1: name: must be a string"]);
  });
});

describe("ids and dependencies", () => {
  test("workflow and step ids must match the id pattern", () => {
    const rule = "must start with a letter or digit and contain only letters, digits, _ and -";
    expect(problemsOf(`id: -bad\nname: x\nsteps:\n  - id: "has space"\n    type: fail\n`)).toEqual([
      `1:5: id: ${rule}`,
      `4:9: steps[0] id: ${rule}`,
    ]);
  });

  test("a duplicate step id points at the second one and names the first line", () => {
    expect(problemsOf(`${HEAD}  - id: a\n    type: fail\n`)).toEqual([
      '5:9: step "a" id: duplicate step id "a" (first used on line 3)',
    ]);
  });

  test("a step with a duplicate id still has its own needs checked", () => {
    const yaml = `${HEAD}  - id: a\n    type: fail\n    needs: [yyy, a]\n  - id: b\n    type: fail\n    needs: [a]\n`;
    expect(problemsOf(yaml)).toEqual([
      '5:9: step "a" id: duplicate step id "a" (first used on line 3)',
      '7:13: step "a" needs[0]: unknown step "yyy"',
      '7:18: step "a" needs[1]: a step cannot need itself',
    ]);
  });

  test("needs naming an unknown step or the step itself", () => {
    const yaml = `${HEAD}  - id: build\n    type: fail\n    needs: [a, biuld, nope]\n  - id: c\n    type: fail\n    needs: c\n`;
    expect(problemsOf(yaml)).toEqual([
      '7:16: step "build" needs[1]: unknown step "biuld" (did you mean "build"?)',
      '7:23: step "build" needs[2]: unknown step "nope"',
      '10:12: step "c" needs: a step cannot need itself',
    ]);
  });

  test("a cycle is named once, starting at its first step, including default needs", () => {
    const yaml = `name: x
steps:
  - id: a
    type: fail
    needs: [c]
  - id: b
    type: fail
  - id: c
    type: fail
  - id: d
    type: fail
    needs: [e]
  - id: e
    type: fail
    needs: [d]
`;
    expect(problemsOf(yaml)).toEqual([
      "5:5: dependency cycle: a -> c -> b -> a (each step needs the next)",
      "12:5: dependency cycle: d -> e -> d (each step needs the next)",
    ]);
  });
});

describe("values", () => {
  test("unknown step type lists the known ones", () => {
    expect(problemsOf("name: x\nsteps:\n  - id: a\n    type: teleport\n")).toEqual([
      '4:11: step "a" type: unknown step type "teleport"; known types: transform, http, shell, email, sleep, workflow, fail',
    ]);
  });

  test("durations", () => {
    const yaml = `timeout: 10x\n${HEAD}    timeout: 0\n    retry: { delay: soon, maxDelay: -5 }\n`;
    expect(problemsOf(yaml)).toEqual([
      '1:10: timeout: invalid duration "10x" (use e.g. 500ms, 30s, 10m, 1h30m)',
      '6:14: step "a" timeout: must be longer than 0',
      '7:21: step "a" retry.delay: invalid duration "soon" (use e.g. 500ms, 30s, 10m, 1h30m)',
      '7:37: step "a" retry.maxDelay: invalid duration -5 (use e.g. 500ms, 30s, 10m, 1h30m)',
    ]);
  });

  test("enums, integers and booleans", () => {
    const yaml = `status: live\nonRestart: retry\nconcurrency: 2.5\n${HEAD}    continueOnError: "yes"\n    retry: { attempts: 0, backoff: random }\n`;
    expect(problemsOf(yaml)).toEqual([
      "1:9: status: must be one of: active, draft, disabled",
      "2:12: onRestart: must be one of: resume, fail",
      "3:14: concurrency: must be a positive integer",
      '8:22: step "a" continueOnError: must be true or false',
      '9:24: step "a" retry.attempts: must be an integer >= 1',
      '9:36: step "a" retry.backoff: must be one of: fixed, linear, exponential',
    ]);
  });

  test("a connection is only for http steps", () => {
    expect(problemsOf(`${HEAD}    connection: stripe\n`)).toEqual([
      '5:17: step "a" connection: only http steps use a connection',
    ]);
  });
});

describe("problems are all collected", () => {
  test("a file with many problems reports every one, in file order", () => {
    const file = "invalid/many-problems.yaml";
    const bytes = readFileSync(join(import.meta.dir, "../fixtures/workflows", file));
    const result = parseWorkflowFile(file, bytes);
    expect(result.version).toBeUndefined();
    expect(result.problems.every((problem) => problem.file === file)).toBe(true);
    expect(result.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual([
      '2:1: unknown key "stpes" (did you mean "steps"?)',
      "3:14: concurrency: must be a positive integer",
      '4:10: timeout: invalid duration "10x" (use e.g. 500ms, 30s, 10m, 1h30m)',
      '7:9: trigger.cron: invalid cron expression "61 * * * *": minute 61 is out of range 0-59',
      '8:13: trigger.timezone: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Amsterdam)',
      '12:5: unknown key "nedds" in step "fetch" (did you mean "needs"?)',
      '14:7: missing required key "url" in step "fetch" config',
      '14:15: step "fetch" config.method: must be one of: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
      '15:9: step "fetch" id: duplicate step id "fetch" (first used on line 10)',
      '16:11: step "fetch" type: unknown step type "teleport"; known types: transform, http, shell, email, sleep, workflow, fail',
      '19:20: step "report" needs[1]: a step cannot need itself',
      '21:16: step "report" config.mapping: template: unknown filter "nope"',
    ]);
  });
});

describe("hostile content", () => {
  test("keys like __proto__ and constructor are unknown keys, and pollute nothing", () => {
    const yaml = `__proto__: { polluted: 1 }\nconstructor: 1\n${HEAD}    config: { toString: 1 }\n`;
    expect(problemsOf(yaml)).toEqual([
      '1:1: unknown key "__proto__"',
      '2:1: unknown key "constructor"',
      '7:15: unknown key "toString" in step "a" config',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("an alias bomb is refused instead of expanded", () => {
    let yaml = "x-a: &a [x, x, x, x, x, x, x, x, x]\n";
    for (const [name, previous] of [
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
      ["e", "d"],
      ["f", "e"],
      ["g", "f"],
    ]) {
      yaml += `x-${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]\n`;
    }
    expect(problemsOf(`${yaml}${HEAD}`)).toEqual([
      "1:1: YAML error: Excessive alias count indicates a resource exhaustion attack",
    ]);
  });

  test("nesting too deep for the parser is one problem, at the first level too deep, the same every time", () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    // Levels: the file, steps, the step, config, then the lists from column 24: the 96th is level 101.
    const expected = ["5:120: nesting deeper than 100 levels of lists and mappings"];
    expect(problemsOf(`${HEAD}    config: { mapping: ${deep} }\n`)).toEqual(expected);
    const open = "[".repeat(100_000);
    for (let run = 0; run < 3; run++) {
      expect(problemsOf(open)).toEqual(["1:101: nesting deeper than 100 levels of lists and mappings"]);
    }
  });

  test("100 levels are read, 101 are too deep, in flow and block style, by either reader", () => {
    const transform = "name: x\nsteps:\n  - id: a\n    type: transform\n    config:\n      mapping: ";
    // The lists start at level 5, column 16.
    const lists = (count: number) => `${transform}${"[".repeat(count)}${"]".repeat(count)}\n`;
    expect(problemsOf(lists(96))).toEqual([]);
    expect(readPlainMapping(lists(96))).toBeDefined();
    expect(problemsOf(lists(97))).toEqual(["6:112: nesting deeper than 100 levels of lists and mappings"]);
    expect(readPlainMapping(lists(97))).toBeUndefined();
    // Mappings in block style, one level per line, from level 5 on line 7.
    const mappings = (count: number) =>
      `${transform}\n${Array.from({ length: count }, (_, i) => `${" ".repeat(8 + 2 * i)}k:`).join("\n")} 1\n`;
    expect(problemsOf(mappings(96))).toEqual([]);
    expect(problemsOf(mappings(97))).toEqual([
      "103:201: nesting deeper than 100 levels of lists and mappings",
    ]);
  });

  test("a long dependency cycle is named by its ends", () => {
    const steps = Array.from(
      { length: 20 },
      (_, i) => `  - id: s${i}\n    type: fail\n    needs: [s${(i + 1) % 20}]\n`,
    );
    expect(problemsOf(`name: x\nsteps:\n${steps.join("")}`)).toEqual([
      "5:5: dependency cycle: s0 -> s1 -> s2 -> s3 -> s4 -> ... -> s18 -> s19 -> s0 (each step needs the next, 20 steps)",
    ]);
  });
});
