import { afterAll, beforeAll, expect, test } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { startDaemon, type TestDaemon } from "./helpers.ts";

const SCHEDULED = `name: Nightly
trigger:
  - type: api
  - type: schedule
    cron: "30 2 * * *"
    timezone: Europe/Amsterdam
  - type: webhook
    secret: whsec_do_not_show_me
steps:
  - id: a
    type: transform
    config: { mapping: 1 }
`;

let d: TestDaemon;
beforeAll(async () => {
  const clock = new ManualClock(Date.parse("2026-06-01T12:00:00Z"));
  d = await startDaemon({ workflows: { "nightly.yaml": SCHEDULED }, clock });
});
afterAll(() => d.stop());

test("workflow responses show each schedule's next fire time and never a webhook secret", async () => {
  for (const path of ["/api/v1/workflows", "/api/v1/workflows/nightly"]) {
    const { status, json } = await d.call("GET", path);
    expect(status).toBe(200);
    const item = Array.isArray(json.data) ? json.data[0] : json.data;
    expect(item.triggers).toEqual([
      { type: "api" },
      expect.objectContaining({
        type: "schedule",
        cron: "30 2 * * *",
        nextRunAt: "2026-06-02T00:30:00.000Z",
      }),
      expect.objectContaining({ type: "webhook", secret: "***" }),
    ]);
    expect(JSON.stringify(json)).not.toContain("whsec_do_not_show_me");
  }
});
