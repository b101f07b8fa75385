import { describe, expect, test } from "bun:test";
import { parseExpectStatus } from "../../src/engine/steps/http-request.ts";
import { problemsOf } from "./helpers.ts";

/** A workflow with one step `s` of `type` whose config is given in flow style on line 5. */
function withStep(type: string, config: string, extra = ""): string {
  return `name: x\nsteps:\n  - id: s\n    type: ${type}\n    config: ${config}\n${extra}`;
}

describe("transform", () => {
  test("needs mapping; any value is fine", () => {
    expect(problemsOf(withStep("transform", "{ mapping: [1, 2] }"))).toEqual([]);
    expect(problemsOf(withStep("transform", "{ map: {} }"))).toEqual([
      '5:13: missing required key "mapping" in step "s" config',
      '5:15: unknown key "map" in step "s" config',
    ]);
  });

  test("a step without config is checked as an empty config, at the step", () => {
    expect(problemsOf("name: x\nsteps:\n  - id: s\n    type: transform\n")).toEqual([
      '3:5: missing required key "mapping" in step "s" config',
    ]);
  });

  test("config must be a mapping", () => {
    expect(problemsOf(withStep("transform", "[mapping]"))).toEqual([
      '5:13: step "s" config: must be a mapping (key: value pairs)',
    ]);
  });
});

describe("http", () => {
  test("a complete request is accepted", () => {
    const config = `{ method: PATCH, url: "https://api.example.com/x", headers: { X-Count: 1 }, query: { tag: [a, b] }, json: { a: 1 }, expectStatus: [200, 204] }`;
    expect(problemsOf(withStep("http", config))).toEqual([]);
    expect(problemsOf(withStep("http", `{ url: "https://x.test", expectStatus: "200-299" }`))).toEqual([]);
    expect(problemsOf(withStep("http", `{ url: "{{ input.url }}", expectStatus: 201 }`))).toEqual([]);
  });

  test("needs url; method from the list", () => {
    expect(problemsOf(withStep("http", "{ method: get }"))).toEqual([
      '5:13: missing required key "url" in step "s" config',
      '5:23: step "s" config.method: must be one of: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
    ]);
  });

  test("at most one of json, body, form", () => {
    const config = `{ method: POST, url: "https://x.test", json: {}, body: "", form: {} }`;
    expect(problemsOf(withStep("http", config))).toEqual([
      '5:62: step "s" config: use only one of "json" or "body" or "form", not "json" and "body"',
      '5:72: step "s" config: use only one of "json" or "body" or "form", not "json" and "form"',
    ]);
  });

  test("expectStatus: a status, a range, a family or a list of those", () => {
    const message =
      'must be a status (201), a range ("200-299" or "4xx") or a list of those ([200, 204], ["2xx", 404])';
    const at = (value: string) =>
      problemsOf(withStep("http", `{ url: "https://x.test", expectStatus: ${value} }`));
    for (const accepted of [
      "201",
      '"201"',
      '"4xx"',
      '"4XX"',
      '" 200 - 299 "',
      '["200-299", 404]',
      '["2xx", "{{ input.code }}"]',
      '"{{ input.expectStatus }}"',
    ]) {
      expect(at(accepted)).toEqual([]);
    }
    expect(at("ok")).toEqual([`5:52: step "s" config.expectStatus: ${message}`]);
    expect(at('"6xx"')).toEqual([`5:52: step "s" config.expectStatus: ${message}`]);
    expect(at("true")).toEqual([`5:52: step "s" config.expectStatus: ${message}`]);
    expect(at("700")).toEqual([`5:52: step "s" config.expectStatus: must be an HTTP status code (100-599)`]);
    expect(at("200.5")).toEqual([
      `5:52: step "s" config.expectStatus: must be an HTTP status code (100-599)`,
    ]);
    expect(at('"299-200"')).toEqual([
      `5:52: step "s" config.expectStatus: must be a range from low to high, such as "200-299"`,
    ]);
    expect(at("[200, 2000]")).toEqual([
      `5:58: step "s" config.expectStatus[1]: must be an HTTP status code (100-599)`,
    ]);
    expect(at('[200, "2xxx"]')).toEqual([`5:58: step "s" config.expectStatus[1]: ${message}`]);
    expect(at("[[200]]")).toEqual([`5:52: step "s" config.expectStatus: ${message}`]);
    expect(at("[]")).toEqual([`5:52: step "s" config.expectStatus: must not be empty`]);
  });

  test("expectStatus: the validator accepts exactly what the runtime accepts", () => {
    // Not null: the runtime reads it as "absent" for a template that renders null, while a null
    // written in the file is refused like every other optional key.
    const values: unknown[] = [
      ...[99, 100, 201, 599, 600, 200.5, true, [], [[200]], ["2xx", 404], ["200-299", "nope"]],
      ...["201", " 201 ", "4xx", "4XX", "0xx", "6xx", "2xxx", "200-299", "200 - 299", "299-200"],
      ...["200-", "-299", "2xx-3xx", "abc", ""],
    ];
    for (const value of values) {
      const config = { url: "https://x.test", expectStatus: value };
      const yaml = `name: x\nsteps:\n  - id: s\n    type: http\n    config: ${JSON.stringify(config)}\n`;
      const validates = problemsOf(yaml).length === 0;
      let runs = true;
      try {
        parseExpectStatus(value);
      } catch {
        runs = false;
      }
      expect({ value, validates }).toEqual({ value, validates: runs });
    }
  });

  test("a body on a GET or HEAD request is refused, unless the method is a template", () => {
    const at = (config: string) => problemsOf(withStep("http", `{ url: "https://x.test", ${config} }`));
    expect(at("json: { a: 1 }")).toEqual([
      '5:38: step "s" config.json: a GET request cannot have a body (the default method); set "method", such as POST',
    ]);
    expect(at('method: HEAD, body: "x"')).toEqual([
      '5:52: step "s" config.body: a HEAD request cannot have a body',
    ]);
    expect(at("method: GET, form: { a: 1 }")).toEqual([
      '5:51: step "s" config.form: a GET request cannot have a body',
    ]);
    expect(at("method: POST, json: { a: 1 }")).toEqual([]);
    expect(at('method: "{{ input.method }}", json: { a: 1 }')).toEqual([]);
    expect(at("method: GET")).toEqual([]);
  });

  test("a relative URL needs a connection; anything else must be absolute", () => {
    expect(problemsOf(withStep("http", "{ url: /v1/things }"))).toEqual([
      '5:20: step "s" config.url: a relative URL needs "connection" on the step (or use an absolute URL)',
    ]);
    expect(problemsOf(withStep("http", "{ url: /v1/things }", "    connection: api\n"))).toEqual([]);
    expect(problemsOf(withStep("http", "{ url: example.com }"))).toEqual([
      '5:20: step "s" config.url: must be an absolute http(s) URL, or a path starting with / used with a connection',
    ]);
  });

  test("headers hold scalar values", () => {
    expect(problemsOf(withStep("http", `{ url: "https://x.test", headers: { A: [1] } }`))).toEqual([
      '5:52: step "s" config.headers.A: must be a string, number or true/false',
    ]);
  });
});

describe("shell", () => {
  test("exactly one of run or command", () => {
    expect(problemsOf(withStep("shell", "{ run: ls }"))).toEqual([]);
    expect(
      problemsOf(withStep("shell", "{ command: [ls, -la], parse: json, cwd: /tmp, env: { A: 1 } }")),
    ).toEqual([]);
    expect(problemsOf(withStep("shell", "{ cwd: /tmp }"))).toEqual([
      '5:13: missing required key "run" or "command" in step "s" config',
    ]);
    expect(problemsOf(withStep("shell", "{ run: ls, command: [ls] }"))).toEqual([
      '5:24: step "s" config: use only one of "run" or "command", not "run" and "command"',
    ]);
  });

  test("command is a list of strings; parse only json", () => {
    expect(problemsOf(withStep("shell", "{ command: ls -la, parse: yaml }"))).toEqual([
      '5:24: step "s" config.command: must be a list of strings',
      '5:39: step "s" config.parse: the only supported value is "json"',
    ]);
    expect(problemsOf(withStep("shell", "{ command: [ls, {a: 1}] }"))).toEqual([
      '5:29: step "s" config.command[1]: must be a string',
    ]);
  });
});

describe("email", () => {
  test("needs to and subject; addresses are a string or a list", () => {
    expect(problemsOf(withStep("email", "{ to: [a@x.test, b@x.test], subject: Hi, text: Hello }"))).toEqual(
      [],
    );
    expect(problemsOf(withStep("email", "{ to: 5, html: <p/> }"))).toEqual([
      '5:13: missing required key "subject" in step "s" config',
      '5:19: step "s" config.to: must be a string or a list of strings',
    ]);
  });

  test("a full templated email is accepted; unknown keys and a missing body are reported", () => {
    const full = `{ to: "{{ input.email }}", cc: [c@x.test], bcc: b@x.test, from: "Shop <s@x.test>", subject: "Hi {{ input.name }}", text: t, html: <p/> }`;
    expect(problemsOf(withStep("email", full))).toEqual([]);
    expect(problemsOf(withStep("email", "{ to: a@x.test, subject: Hi, body: x, attachments: [] }"))).toEqual([
      '5:13: missing required key "text" or "html" in step "s" config',
      '5:42: unknown key "body" in step "s" config',
      '5:51: unknown key "attachments" in step "s" config',
    ]);
  });
});

describe("sleep", () => {
  test("exactly one of duration or until", () => {
    expect(problemsOf(withStep("sleep", "{ duration: 5m }"))).toEqual([]);
    expect(problemsOf(withStep("sleep", '{ until: "2026-01-15T10:00:00Z" }'))).toEqual([]);
    expect(problemsOf(withStep("sleep", "{}"))).toEqual([
      '5:13: missing required key "duration" or "until" in step "s" config',
    ]);
    expect(problemsOf(withStep("sleep", '{ duration: 1s, until: "2026-01-15T10:00:00Z" }'))).toEqual([
      '5:29: step "s" config: use only one of "duration" or "until", not "duration" and "until"',
    ]);
  });

  test("a duration or time is checked unless it is a template", () => {
    expect(problemsOf(withStep("sleep", "{ duration: 10x }"))).toEqual([
      '5:25: step "s" config.duration: invalid duration "10x" (use e.g. 500ms, 30s, 10m, 1h30m)',
    ]);
    expect(problemsOf(withStep("sleep", '{ duration: "{{ input.wait }}" }'))).toEqual([]);
    expect(problemsOf(withStep("sleep", "{ until: tomorrow }"))).toEqual([
      '5:22: step "s" config.until: invalid time "tomorrow" (use ISO 8601, such as 2026-01-15T10:00:00Z)',
    ]);
    expect(problemsOf(withStep("sleep", '{ until: "{{ input.at }}" }'))).toEqual([]);
  });
});

describe("workflow and fail", () => {
  test("workflow needs a workflow id (or a template)", () => {
    expect(problemsOf(withStep("workflow", "{ workflow: child, input: { a: 1 } }"))).toEqual([]);
    expect(problemsOf(withStep("workflow", '{ workflow: "{{ input.child }}" }'))).toEqual([]);
    expect(problemsOf(withStep("workflow", "{ input: {} }"))).toEqual([
      '5:13: missing required key "workflow" in step "s" config',
    ]);
    expect(problemsOf(withStep("workflow", '{ workflow: "no such id" }'))).toEqual([
      '5:25: step "s" config.workflow: is not a workflow id: must start with a letter or digit and contain only letters, digits, _ and -',
    ]);
  });

  test("fail accepts only a message", () => {
    expect(problemsOf(withStep("fail", "{ message: Stop }"))).toEqual([]);
    expect(problemsOf(withStep("fail", "{ message: [a], code: 1 }"))).toEqual([
      '5:24: step "s" config.message: must be a string',
      '5:29: unknown key "code" in step "s" config',
    ]);
  });
});
