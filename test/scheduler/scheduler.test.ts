import { describe, expect, test } from "bun:test";
import { WfdError } from "../../src/core/errors.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { Harness, JumpingClock, scheduledYaml } from "./helpers.ts";

const T0 = "2026-01-15T10:00:00.000Z";

function everyMinute(extra = ""): string {
  return scheduledYaml(`cron: "* * * * *"\n${extra}`);
}

describe("firing", () => {
  test("each slot fires once, claimed under its key, with the schedule trigger and rendered input", async () => {
    const h = new Harness(T0);
    h.registry.set(
      "report.yaml",
      scheduledYaml(`cron: "*/5 * * * *"
        overlap: allow
        input: { day: "{{ run.createdAt | slice: 0, 10 }}", token: "{{ secrets.TOKEN }}", region: "{{ env.REGION }}", wf: "{{ run.workflowId }}" }`),
    );
    await h.start({ secrets: { TOKEN: "s3cret" }, env: { REGION: "eu" } });
    await h.advanceTo("2026-01-15T10:10:00.000Z");

    expect(h.runs.slots).toEqual(["2026-01-15T10:05:00.000Z", "2026-01-15T10:10:00.000Z"]);
    const [first] = h.runs.created;
    expect(first?.trigger).toEqual({
      type: "schedule",
      scheduledFor: "2026-01-15T10:05:00.000Z",
      trigger: 1,
    });
    expect(first?.input).toEqual({ day: "2026-01-15", token: "s3cret", region: "eu", wf: "report" });
    expect([...h.runs.claims]).toEqual([
      "report#1#2026-01-15T10:05:00.000Z",
      "report#1#2026-01-15T10:10:00.000Z",
    ]);
    expect(h.outcomes("fired")).toEqual(h.runs.slots);
    await h.scheduler.stop();
  });

  test("the loop sleeps until the next slot, but never longer than maxSleepMs", async () => {
    const h = new Harness(T0);
    h.registry.set("hourly.yaml", scheduledYaml('cron: "0 * * * *"'));
    const scheduler = await h.start({ maxSleepMs: 60_000 });
    expect(scheduler.nextWakeAt).toBe(Date.parse("2026-01-15T10:01:00.000Z"));
    await h.advanceTo("2026-01-15T10:59:30.000Z");
    expect(scheduler.nextWakeAt).toBe(Date.parse("2026-01-15T11:00:00.000Z"));
    await h.advanceTo("2026-01-15T11:00:00.000Z");
    expect(h.runs.slots).toEqual(["2026-01-15T11:00:00.000Z"]);
    await scheduler.stop();
  });

  test("a slot claimed before (another process, a previous run of wfd) creates nothing", async () => {
    const h = new Harness(T0);
    h.registry.set("job.yaml", everyMinute());
    h.runs.claim("job", 1, "2026-01-15T10:01:00.000Z");
    await h.start();
    await h.advanceTo("2026-01-15T10:02:00.000Z");
    expect(h.runs.slots).toEqual(["2026-01-15T10:02:00.000Z"]);
    expect(h.outcomes("taken")).toEqual(["2026-01-15T10:01:00.000Z"]);
    await h.scheduler.stop();
  });

  test("drafts and disabled workflows do not fire", async () => {
    const h = new Harness(T0);
    h.registry.set("draft.yaml", everyMinute().replace("name:", "status: draft\nname:"));
    h.registry.set("off.yaml", everyMinute().replace("name:", "status: disabled\nname:"));
    await h.start();
    await h.advanceTo("2026-01-15T10:05:00.000Z");
    expect(h.runs.created).toEqual([]);
    await h.scheduler.stop();
  });

  test("a refused run is reported with its reason and the next slot still fires", async () => {
    const h = new Harness(T0);
    h.registry.set("job.yaml", everyMinute());
    await h.start();
    h.runs.refuse = new WfdError("VALIDATION_ERROR", "Input does not match the workflow's inputSchema", [
      { path: ["customerId"], message: "must have required property 'customerId'" },
    ]);
    await h.advanceTo("2026-01-15T10:01:00.000Z");
    h.runs.refuse = null;
    await h.advanceTo("2026-01-15T10:02:00.000Z");
    const failed = h.slotEvents.filter((e) => e.outcome === "failed");
    expect(failed.map((e) => [e.scheduledFor, e.message])).toEqual([
      [
        "2026-01-15T10:01:00.000Z",
        "Input does not match the workflow's inputSchema (customerId: must have required property 'customerId')",
      ],
    ]);
    expect(h.runs.slots).toEqual(["2026-01-15T10:02:00.000Z"]);
    await h.scheduler.stop();
  });

  test("an input that fails to render is reported and creates nothing", async () => {
    const h = new Harness(T0);
    h.registry.set(
      "job.yaml",
      scheduledYaml(`cron: "* * * * *"\ninput: { n: "{% for i in (1..100000000) %}x{% endfor %}" }`),
    );
    await h.start();
    await h.advanceTo("2026-01-15T10:01:00.000Z");
    expect(h.runs.created).toEqual([]);
    const [event] = h.slotEvents;
    expect(event?.outcome).toBe("failed");
    expect(event?.message).toStartWith("input of trigger[1]: ");
    await h.scheduler.stop();
  });

  test("stop ends the loop: no slot fires afterwards", async () => {
    const h = new Harness(T0);
    h.registry.set("job.yaml", everyMinute());
    await h.start();
    await h.scheduler.stop();
    await h.clock.advance(10 * 60_000);
    expect(h.runs.created).toEqual([]);
    expect(h.clock.pendingSleeps).toBe(0);
  });
});

describe("overlap", () => {
  test("skip (default): no slot fires while the trigger's run is pending or running", async () => {
    const h = new Harness(T0);
    h.registry.set("job.yaml", everyMinute());
    await h.start();
    await h.advanceTo("2026-01-15T10:02:00.000Z");
    expect(h.runs.slots).toEqual(["2026-01-15T10:01:00.000Z"]);
    expect(h.outcomes("skipped")).toEqual(["2026-01-15T10:02:00.000Z"]);
    h.runs.finish(h.runs.created[0]?.id ?? "");
    await h.advanceTo("2026-01-15T10:03:00.000Z");
    expect(h.runs.slots).toEqual(["2026-01-15T10:01:00.000Z", "2026-01-15T10:03:00.000Z"]);
    await h.scheduler.stop();
  });

  test("skip counts runs that were unfinished before a restart", async () => {
    const h = new Harness(T0);
    h.registry.set("job.yaml", everyMinute());
    await h.runs.create({
      workflowId: "job",
      trigger: { type: "schedule", scheduledFor: "2026-01-15T09:59:00.000Z", trigger: 1 },
    });
    await h.start();
    await h.advanceTo("2026-01-15T10:01:00.000Z");
    expect(h.outcomes("skipped")).toEqual(["2026-01-15T10:01:00.000Z"]);
    await h.scheduler.stop();
  });

  test("allow: slots fire whatever is running", async () => {
    const h = new Harness(T0);
    h.registry.set("job.yaml", everyMinute("overlap: allow"));
    await h.start();
    await h.advanceTo("2026-01-15T10:03:00.000Z");
    expect(h.runs.created.map((r) => r.status)).toEqual(["pending", "pending", "pending"]);
    await h.scheduler.stop();
  });

  test("queue: one slot waits for the running run and fires when it ends; further slots are dropped", async () => {
    const h = new Harness(T0);
    h.registry.set("job.yaml", everyMinute("overlap: queue"));
    await h.start();
    await h.advanceTo("2026-01-15T10:03:30.000Z");
    expect(h.runs.slots).toEqual(["2026-01-15T10:01:00.000Z"]);
    expect(h.outcomes("queued")).toEqual(["2026-01-15T10:02:00.000Z"]);
    expect(h.outcomes("skipped")).toEqual(["2026-01-15T10:03:00.000Z"]);

    await h.wakeWith(() => h.runs.finish(h.runs.created[0]?.id ?? ""));
    expect(h.runs.slots).toEqual(["2026-01-15T10:01:00.000Z", "2026-01-15T10:02:00.000Z"]);
    // The held slot keeps its own time; it was created when the first run ended.
    expect(h.runs.created[1]?.createdAt).toBe("2026-01-15T10:03:30.000Z");
    await h.advanceTo("2026-01-15T10:04:00.000Z");
    expect(h.outcomes("queued")).toEqual(["2026-01-15T10:02:00.000Z", "2026-01-15T10:04:00.000Z"]);
    await h.scheduler.stop();
  });
});

describe("catch-up at start", () => {
  // wfd was down from 09:10 to 10:00:20; the last slot it claimed was 09:10.
  const restart = "2026-01-15T10:00:20.000Z";

  async function startAfterDowntime(catchUp: string): Promise<Harness> {
    const h = new Harness(restart);
    h.registry.set("job.yaml", everyMinute(`catchUp: ${catchUp}`));
    h.runs.claim("job", 1, "2026-01-15T09:10:00.000Z");
    await h.start();
    return h;
  }

  test("none: missed slots are not fired; the schedule resumes with the next slot", async () => {
    const h = await startAfterDowntime("none");
    expect(h.runs.created).toEqual([]);
    await h.advanceTo("2026-01-15T10:01:00.000Z");
    expect(h.runs.slots).toEqual(["2026-01-15T10:01:00.000Z"]);
    await h.scheduler.stop();
  });

  test("latest: the newest missed slot fires once at start, then the schedule goes on", async () => {
    const h = await startAfterDowntime("latest");
    expect(h.runs.slots).toEqual(["2026-01-15T10:00:00.000Z"]);
    expect(h.slotEvents[0]).toMatchObject({ outcome: "fired", catchUp: true });
    h.runs.finish(h.runs.created[0]?.id ?? "");
    await h.advanceTo("2026-01-15T10:01:00.000Z");
    expect(h.runs.slots).toEqual(["2026-01-15T10:00:00.000Z", "2026-01-15T10:01:00.000Z"]);
    await h.scheduler.stop();
  });

  test("latest: a schedule that never fired before does not fire at start", async () => {
    const h = new Harness(restart);
    h.registry.set("job.yaml", everyMinute("catchUp: latest"));
    await h.start();
    expect(h.runs.created).toEqual([]);
    await h.scheduler.stop();
  });

  test("latest: a restart straight after a slot fired owes nothing", async () => {
    const h = new Harness(restart);
    h.registry.set("job.yaml", everyMinute("catchUp: latest"));
    h.runs.claim("job", 1, "2026-01-15T10:00:00.000Z");
    await h.start();
    expect(h.runs.created).toEqual([]);
    await h.scheduler.stop();
  });
});

describe("reloads", () => {
  test("a cron edit moves the next slot at once", async () => {
    const h = new Harness(T0);
    h.registry.set("job.yaml", scheduledYaml('cron: "0 * * * *"'));
    const scheduler = await h.start({ maxSleepMs: 3_600_000 });
    expect(scheduler.nextWakeAt).toBe(Date.parse("2026-01-15T11:00:00.000Z"));
    await h.advanceTo("2026-01-15T10:20:30.000Z");
    await h.wakeWith(() => h.registry.set("job.yaml", scheduledYaml('cron: "*/15 * * * *"')));
    expect(scheduler.nextWakeAt).toBe(Date.parse("2026-01-15T10:30:00.000Z"));
    await h.advanceTo("2026-01-15T10:30:00.000Z");
    // 10:15 was before the edit: it does not fire late.
    expect(h.runs.slots).toEqual(["2026-01-15T10:30:00.000Z"]);
    await scheduler.stop();
  });

  test("an edited input is used from the next slot on", async () => {
    const h = new Harness(T0);
    const withInput = (value: string) => everyMinute(`overlap: allow\ninput: { v: ${value} }`);
    h.registry.set("job.yaml", withInput("1"));
    await h.start();
    await h.advanceTo("2026-01-15T10:01:00.000Z");
    await h.wakeWith(() => h.registry.set("job.yaml", withInput("2")));
    await h.advanceTo("2026-01-15T10:02:00.000Z");
    expect(h.runs.created.map((run) => run.input)).toEqual([{ v: 1 }, { v: 2 }]);
    await h.scheduler.stop();
  });

  test("added, deactivated and removed workflows start and stop firing at once", async () => {
    const h = new Harness(T0);
    await h.start();
    await h.wakeWith(() => h.registry.set("job.yaml", everyMinute("overlap: allow")));
    await h.advanceTo("2026-01-15T10:02:00.000Z");
    expect(h.runs.slots).toHaveLength(2);
    const draft = everyMinute("overlap: allow").replace("name:", "status: draft\nname:");
    await h.wakeWith(() => h.registry.set("job.yaml", draft));
    await h.advanceTo("2026-01-15T10:04:00.000Z");
    expect(h.runs.slots).toHaveLength(2);
    await h.wakeWith(() => h.registry.set("job.yaml", everyMinute("overlap: allow")));
    await h.advanceTo("2026-01-15T10:05:00.000Z");
    await h.wakeWith(() => h.registry.remove("job"));
    await h.advanceTo("2026-01-15T10:08:00.000Z");
    expect(h.runs.slots).toEqual([
      "2026-01-15T10:01:00.000Z",
      "2026-01-15T10:02:00.000Z",
      "2026-01-15T10:05:00.000Z",
    ]);
    await h.scheduler.stop();
  });

  test("an edit of other parts of the workflow keeps the schedule's state", async () => {
    const h = new Harness(T0);
    h.registry.set("job.yaml", everyMinute("overlap: queue"));
    await h.start();
    await h.advanceTo("2026-01-15T10:02:00.000Z");
    expect(h.outcomes("queued")).toEqual(["2026-01-15T10:02:00.000Z"]);
    await h.wakeWith(() =>
      h.registry.set("job.yaml", everyMinute("overlap: queue").replace("Scheduled", "Renamed")),
    );
    await h.wakeWith(() => h.runs.finish(h.runs.created[0]?.id ?? ""));
    expect(h.runs.slots).toEqual(["2026-01-15T10:01:00.000Z", "2026-01-15T10:02:00.000Z"]);
    await h.scheduler.stop();
  });
});

describe("clock jumps", () => {
  test("forward (a suspended laptop): the on-time slot fires, older ones are missed", async () => {
    const timers = new ManualClock(Date.parse(T0));
    const wall = new JumpingClock(timers);
    const h = new Harness(T0, timers);
    h.registry.set("job.yaml", everyMinute());
    const scheduler = await h.start({}, wall);
    wall.jump(2 * 3_600_000 + 30_000);
    const ticked = scheduler.events.waitFor("tick");
    await timers.advance(60_000);
    await ticked;
    expect(h.runs.slots).toEqual(["2026-01-15T12:01:00.000Z"]);
    expect(h.outcomes("missed")).toEqual(["2026-01-15T12:00:00.000Z"]);
    await scheduler.stop();
  });

  test("back: schedules go on from the new time, and claimed slots do not fire again", async () => {
    const timers = new ManualClock(Date.parse(T0));
    const wall = new JumpingClock(timers);
    const h = new Harness(T0, timers);
    h.registry.set("job.yaml", everyMinute("overlap: allow"));
    const scheduler = await h.start({}, wall);
    for (let minute = 1; minute <= 2; minute++) {
      const ticked = scheduler.events.waitFor("tick");
      await timers.advance(60_000);
      await ticked;
      await timers.waitForSleepers(1);
    }
    wall.jump(-2 * 60_000); // 10:02 -> 10:00
    for (let minute = 1; minute <= 3; minute++) {
      const ticked = scheduler.events.waitFor("tick");
      await timers.advance(60_000);
      await ticked;
      await timers.waitForSleepers(1);
    }
    expect(h.runs.slots).toEqual([
      "2026-01-15T10:01:00.000Z",
      "2026-01-15T10:02:00.000Z",
      "2026-01-15T10:03:00.000Z",
    ]);
    // The first wake after the jump reads 10:01, the time it resumes from; 10:02 comes round again.
    expect(h.outcomes("taken")).toEqual(["2026-01-15T10:02:00.000Z"]);
    await scheduler.stop();
  });
});

describe("daylight saving time in the loop (Europe/Amsterdam)", () => {
  test("02:30 daily fires at 03:00 CEST on the spring day and once on the autumn day", async () => {
    const spring = new Harness("2026-03-28T23:00:00.000Z");
    spring.registry.set("job.yaml", scheduledYaml('cron: "30 2 * * *"\ntimezone: Europe/Amsterdam'));
    await spring.start({ maxSleepMs: 3_600_000 });
    await spring.advanceTo("2026-03-29T06:00:00.000Z");
    expect(spring.runs.slots).toEqual(["2026-03-29T01:00:00.000Z"]);
    await spring.scheduler.stop();

    const autumn = new Harness("2026-10-24T22:00:00.000Z");
    autumn.registry.set("job.yaml", scheduledYaml('cron: "30 2 * * *"\ntimezone: Europe/Amsterdam'));
    await autumn.start({ maxSleepMs: 3_600_000 });
    await autumn.advanceTo("2026-10-25T06:00:00.000Z");
    expect(autumn.runs.slots).toEqual(["2026-10-25T00:30:00.000Z"]);
    await autumn.scheduler.stop();
  });
});
