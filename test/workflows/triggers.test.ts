import { describe, expect, test } from "bun:test";
import { definitionOf, problemsOf } from "./helpers.ts";

const STEPS = "name: x\nsteps:\n  - id: a\n    type: fail\n";

/** A workflow whose `trigger:` block starts on line 5. */
function withTrigger(trigger: string): string {
  return `${STEPS}trigger:\n${trigger}`;
}

describe("trigger types", () => {
  test("type is required and must be known", () => {
    expect(problemsOf(withTrigger("  - cron: '* * * * *'\n  - type: cronjob\n  - webhook\n"))).toEqual([
      '6:5: missing required key "type" in trigger[0]',
      '7:11: trigger[1].type: unknown trigger type "cronjob"; known types: api, schedule, webhook, form',
      "8:5: trigger[2]: must be a mapping with a type, such as { type: schedule, cron: ... }",
    ]);
  });

  test("an api trigger takes no options", () => {
    expect(problemsOf(withTrigger("  type: api\n  path: /x\n"))).toEqual([
      '7:3: unknown key "path" in trigger',
    ]);
  });
});

describe("schedule", () => {
  test("5 fields, 6 fields (seconds first) and croner nicknames are accepted", () => {
    for (const cron of ["0 9 * * 1-5", "*/30 * * * * *", "0 9 * * MON-FRI", "@daily"]) {
      expect(problemsOf(withTrigger(`  type: schedule\n  cron: "${cron}"\n`))).toEqual([]);
    }
  });

  test("a bad cron expression is named with the reason", () => {
    expect(problemsOf(withTrigger('  type: schedule\n  cron: "61 * * * *"\n'))).toEqual([
      '7:9: trigger.cron: invalid cron expression "61 * * * *": minute 61 is out of range 0-59',
    ]);
  });

  /** The problem of a cron expression, as reported at 7:9. */
  const cronProblemOf = (cron: string) => problemsOf(withTrigger(`  type: schedule\n  cron: "${cron}"\n`));
  const outOfRange = (cron: string, reason: string) => [
    `7:9: trigger.cron: invalid cron expression "${cron}": ${reason}`,
  ];

  test("every field accepts the ends of its range (day-of-week 7 is Sunday too)", () => {
    for (const cron of [
      "0 0 1 1 0",
      "59 23 31 12 7",
      "0 0 0 1 1 0",
      "59 59 23 31 12 7",
      "0 0 1-31 1-12 0-7",
    ]) {
      expect({ cron, problems: cronProblemOf(cron) }).toEqual({ cron, problems: [] });
    }
  });

  test("a value out of range is named as written, with its field and range, in every field", () => {
    const cases: [string, string][] = [
      ["60 0 0 * * *", "second 60 is out of range 0-59"],
      ["0 60 0 * * *", "minute 60 is out of range 0-59"],
      ["60 0 * * *", "minute 60 is out of range 0-59"],
      ["0 24 * * *", "hour 24 is out of range 0-23"],
      ["0 0 0 * *", "day-of-month 0 is out of range 1-31"],
      ["0 0 32 * *", "day-of-month 32 is out of range 1-31"],
      ["0 0 0 0 * *", "day-of-month 0 is out of range 1-31"],
      ["0 0 0 32 * *", "day-of-month 32 is out of range 1-31"],
      ["0 0 * 0 *", "month 0 is out of range 1-12"],
      ["0 0 * 13 *", "month 13 is out of range 1-12"],
      ["0 0 0 * 13 *", "month 13 is out of range 1-12"],
      ["0 0 * * 8", "day-of-week 8 is out of range 0-7"],
      ["0 0 0 * * 8", "day-of-week 8 is out of range 0-7"],
    ];
    for (const [cron, reason] of cases) {
      expect({ cron, problems: cronProblemOf(cron) }).toEqual({ cron, problems: outOfRange(cron, reason) });
    }
  });

  test("out-of-range values in ranges, lists, steps and nearest weekdays are named as written", () => {
    expect(cronProblemOf("0 0 1-32 * *")).toEqual(
      outOfRange("0 0 1-32 * *", "day-of-month 32 is out of range 1-31"),
    );
    expect(cronProblemOf("0 0 1,32 * *")).toEqual(
      outOfRange("0 0 1,32 * *", "day-of-month 32 is out of range 1-31"),
    );
    expect(cronProblemOf("0 0 32W * *")).toEqual(
      outOfRange("0 0 32W * *", "day-of-month 32 is out of range 1-31"),
    );
    expect(cronProblemOf("0 0 * 0-3 *")).toEqual(outOfRange("0 0 * 0-3 *", "month 0 is out of range 1-12"));
    expect(cronProblemOf("0 0 * * 1-8")).toEqual(
      outOfRange("0 0 * * 1-8", "day-of-week 8 is out of range 0-7"),
    );
  });

  test("a field with characters cron does not allow is named, with its text as written", () => {
    expect(cronProblemOf("0 0 x * *")).toEqual(
      outOfRange("0 0 x * *", 'day-of-month "x" contains characters cron does not allow'),
    );
    expect(cronProblemOf("x 0 0 * * *")).toEqual(
      outOfRange("x 0 0 * * *", 'second "x" contains characters cron does not allow'),
    );
    // Croner replaces month names by numbers before it looks; the message keeps what was written.
    expect(cronProblemOf("0 0 * JAN-FOO *")).toEqual(
      outOfRange("0 0 * JAN-FOO *", 'month "JAN-FOO" contains characters cron does not allow'),
    );
  });

  test("7 fields (a year) and too few fields are rejected", () => {
    const expected = (cron: string, count: number) =>
      `7:9: trigger.cron: invalid cron expression "${cron}": expected 5 fields (minute hour day month weekday) or 6 (seconds first), found ${count}`;
    expect(problemsOf(withTrigger('  type: schedule\n  cron: "0 0 0 1 1 * 2030"\n'))).toEqual([
      expected("0 0 0 1 1 * 2030", 7),
    ]);
    expect(problemsOf(withTrigger('  type: schedule\n  cron: "* * *"\n'))).toEqual([expected("* * *", 3)]);
  });

  test("cron is required; time zone must be an IANA name; enums are checked", () => {
    const yaml = withTrigger(
      "  type: schedule\n  timezone: Europe/Atlantis\n  overlap: never\n  catchUp: all\n",
    );
    expect(problemsOf(yaml)).toEqual([
      '6:3: missing required key "cron" in trigger',
      '7:13: trigger.timezone: unknown time zone "Europe/Atlantis" (use an IANA name such as Europe/Amsterdam)',
      "8:12: trigger.overlap: must be one of: skip, allow, queue",
      "9:12: trigger.catchUp: must be one of: none, latest",
    ]);
  });

  test("options given are kept", () => {
    const yaml = withTrigger(
      '  type: schedule\n  cron: "0 * * * *"\n  timezone: America/New_York\n  overlap: queue\n  catchUp: latest\n',
    );
    expect(definitionOf(yaml).triggers).toEqual([
      {
        type: "schedule",
        cron: "0 * * * *",
        timezone: "America/New_York",
        overlap: "queue",
        catchUp: "latest",
      },
    ]);
  });
});

describe("webhook", () => {
  test("signature is one of the supported schemes; secret is a string", () => {
    expect(problemsOf(withTrigger("  type: webhook\n  signature: md5\n  secret: [a]\n"))).toEqual([
      "7:14: trigger.signature: must be one of: stripe, github, standard, hmac-sha256, token",
      "8:11: trigger.secret: must be a string",
    ]);
  });
});

describe("form", () => {
  test("fields are required and checked one by one", () => {
    expect(problemsOf(withTrigger("  type: form\n"))).toEqual([
      '6:3: missing required key "fields" in trigger',
    ]);
    expect(problemsOf(withTrigger("  type: form\n  fields: []\n"))).toEqual([
      "7:11: trigger.fields: must contain at least one field",
    ]);
    const yaml = withTrigger(
      "  type: form\n  fields:\n    - { name: a, type: colour }\n    - { type: text }\n    - { name: b, required: maybe }\n",
    );
    expect(problemsOf(yaml)).toEqual([
      "8:24: trigger.fields[0].type: must be one of: text, textarea, email, url, tel, number, checkbox, select, date",
      '9:7: missing required key "name" in trigger.fields[1]',
      "10:28: trigger.fields[2].required: must be true or false",
    ]);
  });

  test("field names are unique and a select field needs options", () => {
    const yaml = withTrigger(
      "  type: form\n  fields:\n    - { name: size, type: select }\n    - { name: size, type: select, options: [S, M] }\n",
    );
    expect(problemsOf(yaml)).toEqual([
      '8:27: trigger.fields[0].type: a select field needs "options" (a list of choices)',
      '9:15: trigger.fields[1].name: duplicate field name "size"',
    ]);
  });
});
