import { afterEach, describe, expect, test } from "bun:test";
import { WfdError } from "../../src/core/errors.ts";
import { WebhookSubscriptions } from "../../src/events/subscriptions.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import { cleanup, openTempStore } from "../store/helpers.ts";

afterEach(cleanup);

function service(
  announced: string[],
  urlProblem: (url: string) => Promise<string | null> = async () => null,
) {
  const store = openTempStore();
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:00.000Z"));
  return {
    store,
    subscriptions: new WebhookSubscriptions({
      store: store.events,
      clock,
      urlProblem,
      announce: (l) => announced.push(l),
    }),
  };
}

describe("config subscriptions", () => {
  test("one without a secret gets a generated one, shown once and kept across restarts", async () => {
    const announced: string[] = [];
    const { store, subscriptions } = service(announced);
    const configured = [
      { url: "https://hooks.example.com/a", events: ["run.failed" as const, "run.cancelled" as const] },
    ];
    await subscriptions.syncConfig(configured);
    expect(announced).toHaveLength(1);
    const secret = /(whsec_\S+)/.exec(announced[0] ?? "")?.[1];
    expect(secret).toBeDefined();
    await subscriptions.syncConfig(configured);
    expect(announced).toHaveLength(1);
    const [listed] = await subscriptions.list();
    expect(listed).toMatchObject({
      source: "config",
      url: "https://hooks.example.com/a",
      events: ["run.failed", "run.cancelled"],
    });
    expect(listed?.id).toMatch(/^wh_cfg_[0-9a-f]{16}$/);
    expect(JSON.stringify(listed)).not.toContain(secret as string);
    // The id follows the URL and the events, not their order in the file.
    await subscriptions.syncConfig([
      { url: "https://hooks.example.com/a", events: ["run.cancelled", "run.failed"] },
    ]);
    expect((await store.events.listSubscriptions()).map((s) => s.id)).toEqual([listed?.id as string]);
    expect(announced).toHaveLength(1);
  });

  test("a config subscription cannot be deleted through the service; an API one can", async () => {
    const { subscriptions } = service([]);
    await subscriptions.syncConfig([
      {
        url: "https://hooks.example.com/a",
        events: ["run.failed"],
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      },
    ]);
    const [configured] = await subscriptions.list();
    await expect(subscriptions.delete(configured?.id ?? "")).rejects.toMatchObject({
      code: "INVALID_STATUS",
    });
    const created = await subscriptions.create({
      url: "https://hooks.example.com/b",
      events: ["run.completed", "run.completed"],
    });
    expect(created.events).toEqual(["run.completed"]);
    await subscriptions.delete(created.id);
    await expect(subscriptions.get(created.id)).rejects.toBeInstanceOf(WfdError);
  });

  test("create reports the URL and the secret problems together", async () => {
    const { subscriptions } = service([], async () => "points to a private or loopback address 10.0.0.1");
    const error = await subscriptions
      .create({ url: "http://10.0.0.1/h", events: ["run.failed"], secret: "nope" })
      .catch((e: unknown) => e as WfdError);
    expect(error).toBeInstanceOf(WfdError);
    expect((error as WfdError).details?.map((d) => d.path[0])).toEqual(["url", "secret"]);
    expect(await subscriptions.list()).toEqual([]);
  });
});
