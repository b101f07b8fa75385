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
      '7:9: trigger.cron: invalid cron expression "61 * * * *": Invalid value for minute: 61',
    ]);
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
