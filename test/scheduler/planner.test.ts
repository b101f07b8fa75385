import { describe, expect, test } from "bun:test";
import {
  nextRunTimes,
  type PlanInput,
  planDueSlots,
  type ScheduleSpec,
  schedulesOf,
} from "../../src/scheduler/index.ts";
import { scheduledYaml, workflowOf } from "./helpers.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function spec(cron: string, overrides: Partial<ScheduleSpec> = {}): ScheduleSpec {
  return {
    workflowId: "report",
    triggerIndex: 1,
    cron,
    timezone: "UTC",
    overlap: "skip",
    catchUp: "none",
    input: {},
    ...overrides,
  };
}

/** Plans one schedule between two ISO times and returns the due slots as ISO strings. */
function due(schedule: ScheduleSpec, from: string, to: string, graceMs = 7 * 24 * HOUR): string[] {
  const input: PlanInput = {
    schedules: [{ spec: schedule, lastChecked: Date.parse(from) }],
    now: Date.parse(to),
    graceMs,
  };
  return planDueSlots(input).due.map((slot) => new Date(slot.scheduledFor).toISOString());
}

describe("daylight saving time (Europe/Amsterdam)", () => {
  const amsterdam = { timezone: "Europe/Amsterdam" };

  test("spring forward: 02:30 does not exist on 2026-03-29; a fixed-time job runs at 03:00 CEST, once", () => {
    expect(due(spec("30 2 * * *", amsterdam), "2026-03-28T00:00:00Z", "2026-03-30T12:00:00Z")).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST: the first valid time after the gap
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  test("spring forward: an hourly job skips the hour that does not exist", () => {
    expect(due(spec("30 * * * *", amsterdam), "2026-03-29T00:00:00Z", "2026-03-29T03:00:00Z")).toEqual([
      "2026-03-29T00:30:00.000Z", // 01:30 CET
      "2026-03-29T01:30:00.000Z", // 03:30 CEST: no 02:30 that night
      "2026-03-29T02:30:00.000Z", // 04:30 CEST
    ]);
  });

  test("fall back: 02:30 happens twice on 2026-10-25; a fixed-time job runs on the first only", () => {
    expect(due(spec("30 2 * * *", amsterdam), "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z")).toEqual([
      "2026-10-25T00:30:00.000Z", // 02:30 CEST; not again at 02:30 CET
      "2026-10-26T01:30:00.000Z", // 02:30 CET
    ]);
  });

  test("fall back: an hourly job runs on both 02:30s", () => {
    expect(due(spec("30 * * * *", amsterdam), "2026-10-24T23:00:00Z", "2026-10-25T02:00:00Z")).toEqual([
      "2026-10-24T23:30:00.000Z", // 01:30 CEST
      "2026-10-25T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T01:30:00.000Z", // 02:30 CET
    ]);
  });

  test("a slot outside DST changes follows the zone's offset", () => {
    expect(due(spec("0 9 * * 1-5", amsterdam), "2026-01-15T00:00:00Z", "2026-01-16T23:59:59Z")).toEqual([
      "2026-01-15T08:00:00.000Z",
      "2026-01-16T08:00:00.000Z",
    ]);
  });
});

describe("which slots are due", () => {
  test("five fields fire on the minute; six fields take seconds first", () => {
    expect(due(spec("*/15 * * * *"), "2026-01-15T10:00:00Z", "2026-01-15T10:31:00Z")).toEqual([
      "2026-01-15T10:15:00.000Z",
      "2026-01-15T10:30:00.000Z",
    ]);
    expect(due(spec("*/15 * * * * *"), "2026-01-15T10:00:00Z", "2026-01-15T10:00:31Z")).toEqual([
      "2026-01-15T10:00:15.000Z",
      "2026-01-15T10:00:30.000Z",
    ]);
  });

  test("a slot at lastChecked was already handled; a slot at now is due", () => {
    expect(due(spec("* * * * *"), "2026-01-15T10:00:00Z", "2026-01-15T10:01:00Z")).toEqual([
      "2026-01-15T10:01:00.000Z",
    ]);
    expect(due(spec("* * * * *"), "2026-01-15T10:00:00Z", "2026-01-15T10:00:59.999Z")).toEqual([]);
  });

  test("late slots within the grace all fire, in order", () => {
    expect(due(spec("* * * * * *"), "2026-01-15T10:00:00Z", "2026-01-15T10:00:03.500Z", MINUTE)).toEqual([
      "2026-01-15T10:00:01.000Z",
      "2026-01-15T10:00:02.000Z",
      "2026-01-15T10:00:03.000Z",
    ]);
  });

  test("slots of several schedules come out oldest first", () => {
    const plan = planDueSlots({
      schedules: [
        { spec: spec("20 * * * * *", { workflowId: "b" }), lastChecked: Date.parse("2026-01-15T10:00:00Z") },
        { spec: spec("10 * * * * *", { workflowId: "a" }), lastChecked: Date.parse("2026-01-15T10:00:00Z") },
      ],
      now: Date.parse("2026-01-15T10:00:30Z"),
      graceMs: MINUTE,
    });
    expect(plan.due.map((slot) => slot.spec.workflowId)).toEqual(["a", "b"]);
  });

  test("a pattern that never matches has no slots and no error", () => {
    expect(due(spec("0 0 30 2 *"), "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")).toEqual([]);
  });
});

describe("missed slots (downtime, suspend, clock jumps)", () => {
  const after = "2026-01-15T10:00:00Z";

  function plan(catchUp: ScheduleSpec["catchUp"], now: string, graceMs: number) {
    return planDueSlots({
      schedules: [{ spec: spec("* * * * *", { catchUp }), lastChecked: Date.parse(after) }],
      now: Date.parse(now),
      graceMs,
    });
  }
  const iso = (ms: number) => new Date(ms).toISOString();

  test("catchUp none: slots older than the grace are missed, not fired", () => {
    const result = plan("none", "2026-01-15T10:30:20Z", 10_000);
    expect(result.due).toEqual([]);
    expect(result.missed.map((m) => iso(m.newest))).toEqual(["2026-01-15T10:30:00.000Z"]);
  });

  test("catchUp latest: only the newest missed slot fires, once", () => {
    const result = plan("latest", "2026-01-15T10:30:20Z", 10_000);
    expect(result.due.map((slot) => [iso(slot.scheduledFor), slot.catchUp])).toEqual([
      ["2026-01-15T10:30:00.000Z", true],
    ]);
    expect(result.missed).toEqual([]);
  });

  test("catchUp latest: when a slot is on time, the missed ones are not fired as well", () => {
    const result = plan("latest", "2026-01-15T10:30:20Z", 30_000);
    expect(result.due.map((slot) => [iso(slot.scheduledFor), slot.catchUp])).toEqual([
      ["2026-01-15T10:30:00.000Z", false],
    ]);
    expect(result.missed.map((m) => iso(m.newest))).toEqual(["2026-01-15T10:29:00.000Z"]);
  });

  test("a clock that went back fires nothing until a new slot comes", () => {
    const result = plan("latest", "2026-01-15T09:00:30Z", MINUTE);
    expect(result).toEqual({ due: [], missed: [] });
  });

  test("years of downtime cost one look-up, not one per missed slot", () => {
    const started = performance.now();
    const result = planDueSlots({
      schedules: [
        { spec: spec("* * * * * *", { catchUp: "latest" }), lastChecked: Date.parse("2020-01-01T00:00:00Z") },
      ],
      now: Date.parse("2026-01-15T10:00:00.500Z"),
      graceMs: 0,
    });
    expect(result.due.map((slot) => iso(slot.scheduledFor))).toEqual(["2026-01-15T10:00:00.000Z"]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("schedules of workflows", () => {
  const yaml = scheduledYaml(
    `cron: "0 9 * * 1-5"
     timezone: Europe/Amsterdam
     input: { report: daily }
     overlap: queue
     catchUp: latest`,
  );

  test("each schedule trigger becomes a spec keyed by its index among all triggers", () => {
    expect(schedulesOf([workflowOf("daily.yaml", yaml)])).toEqual([
      {
        workflowId: "daily",
        triggerIndex: 1,
        cron: "0 9 * * 1-5",
        timezone: "Europe/Amsterdam",
        overlap: "queue",
        catchUp: "latest",
        input: { report: "daily" },
      },
    ]);
  });

  test("drafts and disabled workflows have no schedules to fire", () => {
    const draft = workflowOf("draft.yaml", scheduledYaml('cron: "* * * * *"', "status: draft\n"));
    const disabled = workflowOf("off.yaml", scheduledYaml('cron: "* * * * *"', "status: disabled\n"));
    expect(schedulesOf([draft, disabled])).toEqual([]);
  });

  test("nextRunTimes gives each schedule's next slot; inactive workflows have none", () => {
    const now = Date.parse("2026-03-27T09:00:00Z"); // a Friday, 10:00 in Amsterdam
    expect(nextRunTimes(workflowOf("daily.yaml", yaml), now)).toEqual([
      {
        triggerIndex: 1,
        cron: "0 9 * * 1-5",
        timezone: "Europe/Amsterdam",
        nextRunAt: "2026-03-30T07:00:00.000Z",
      },
    ]);
    const draft = workflowOf("draft.yaml", scheduledYaml('cron: "* * * * *"', "status: draft\n"));
    expect(nextRunTimes(draft, now)).toEqual([
      { triggerIndex: 1, cron: "* * * * *", timezone: "UTC", nextRunAt: null },
    ]);
  });
});
