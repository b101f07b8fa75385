import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/lib/clock.ts";
import { at, cleanup, newRun, openTempStore, T0 } from "./helpers.ts";

afterEach(cleanup);

const HOUR = 3_600_000;

function claim(requestHash: string, expiresInMs = 24 * HOUR, key = "order-123") {
  return { idempotency: { key, requestHash, expiresAt: at(expiresInMs) } };
}

describe("idempotency keys", () => {
  test("the same key and request replays the run; a different request conflicts; nothing new is stored", async () => {
    const store = openTempStore({ clock: new ManualClock(T0) });
    const first = newRun({ idempotencyKey: "order-123" });
    const created = await store.createRun(first, claim("hash-a"));
    expect(created.outcome).toBe("created");

    const replay = await store.createRun(newRun({ idempotencyKey: "order-123" }), claim("hash-a"));
    expect(replay).toEqual({ outcome: "replayed", run: await store.getRun(first.id) } as typeof replay);

    const conflict = await store.createRun(newRun({ input: { other: 1 } }), claim("hash-b"));
    expect(conflict.outcome).toBe("conflict");
    expect(conflict.outcome !== "slot-taken" && conflict.run.id).toBe(first.id);
    expect(await store.countRunsByStatus("pending")).toBe(1);
  });

  test("keys are scoped to their workflow", async () => {
    const store = openTempStore({ clock: new ManualClock(T0) });
    const orders = await store.createRun(newRun({ workflowId: "orders" }), claim("hash-a"));
    const billing = await store.createRun(newRun({ workflowId: "billing" }), claim("hash-a"));
    expect([orders.outcome, billing.outcome]).toEqual(["created", "created"]);
  });

  test("an expired key is replaced by the new run, and that run then owns the key", async () => {
    const clock = new ManualClock(T0);
    const store = openTempStore({ clock });
    const old = newRun();
    await store.createRun(old, claim("hash-a", HOUR));
    await clock.advance(HOUR);
    const fresh = newRun({ createdAt: at(HOUR) });
    const created = await store.createRun(fresh, claim("hash-b", 25 * HOUR));
    expect(created.outcome).toBe("created");
    const replay = await store.createRun(newRun(), claim("hash-b", 25 * HOUR));
    expect(replay.outcome !== "slot-taken" && [replay.outcome, replay.run.id]).toEqual([
      "replayed",
      fresh.id,
    ]);
    // The old run itself is kept; only its claim on the key ended.
    expect((await store.getRun(old.id))?.id).toBe(old.id);
  });

  test("50 concurrent creations with one key make exactly one run", async () => {
    const store = openTempStore({ clock: new ManualClock(T0) });
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        store.createRun(newRun({ idempotencyKey: "k" }), claim("same", HOUR, "k")),
      ),
    );
    const outcomes = results.map((result) => result.outcome);
    expect(outcomes.filter((outcome) => outcome === "created")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "replayed")).toHaveLength(49);
    const ids = new Set(results.map((result) => (result.outcome === "slot-taken" ? null : result.run.id)));
    expect(ids.size).toBe(1);
    expect(await store.countRunsByStatus("pending")).toBe(1);
  });

  test("without group commit the race has the same answer", async () => {
    const store = openTempStore({ clock: new ManualClock(T0), groupCommit: false });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.createRun(newRun(), claim("same", HOUR, "k"))),
    );
    expect(results.filter((result) => result.outcome === "created")).toHaveLength(1);
    expect(await store.countRunsByStatus("pending")).toBe(1);
  });

  test("pruneIdempotency deletes only expired keys", async () => {
    const clock = new ManualClock(T0);
    const store = openTempStore({ clock });
    await store.createRun(newRun(), claim("a", HOUR, "short"));
    await store.createRun(newRun(), claim("b", 48 * HOUR, "long"));
    expect(await store.pruneIdempotency(at(2 * HOUR))).toBe(1);
    const stillThere = await store.createRun(newRun(), claim("b", 48 * HOUR, "long"));
    expect(stillThere.outcome).toBe("replayed");
  });

  test("a claim with a bad expiry is refused and creates nothing", async () => {
    const store = openTempStore();
    await expect(
      store.createRun(newRun(), { idempotency: { key: "k", requestHash: "h", expiresAt: "tomorrow" } }),
    ).rejects.toThrow('createRun: idempotency.expiresAt: not a valid ISO 8601 timestamp: "tomorrow"');
    await expect(
      store.createRun(newRun(), { idempotency: { key: "", requestHash: "h", expiresAt: at(0) } }),
    ).rejects.toThrow("createRun: idempotency.key: must be a non-empty string");
    expect(await store.countRunsByStatus("pending")).toBe(0);
  });
});

describe("schedule slots", () => {
  const slot = { triggerIndex: 1, scheduledFor: at(0) };

  test("a slot yields one run; claiming it again yields slot-taken and no run", async () => {
    const store = openTempStore();
    const first = await store.createRun(newRun(), { slot });
    const again = await store.createRun(newRun(), { slot });
    const concurrent = await Promise.all([1, 2, 3].map(() => store.createRun(newRun(), { slot })));
    expect(first.outcome).toBe("created");
    expect([again, ...concurrent]).toEqual(Array(4).fill({ outcome: "slot-taken" }));
    expect(await store.countRunsByStatus("pending")).toBe(1);
  });

  test("other triggers, times and workflows are separate slots", async () => {
    const store = openTempStore();
    const outcomes = await Promise.all([
      store.createRun(newRun(), { slot }),
      store.createRun(newRun(), { slot: { ...slot, triggerIndex: 2 } }),
      store.createRun(newRun(), { slot: { ...slot, scheduledFor: at(60_000) } }),
      store.createRun(newRun({ workflowId: "other" }), { slot }),
    ]);
    expect(outcomes.map((result) => result.outcome)).toEqual(["created", "created", "created", "created"]);
  });

  test("a slot stays taken after its run is pruned", async () => {
    const store = openTempStore();
    const run = newRun();
    await store.createRun(run, { slot });
    await store.finishRun(run.id, { status: "completed", output: null, error: null, completedAt: at(1_000) });
    expect(await store.pruneRuns(at(HOUR))).toBe(1);
    expect(await store.createRun(newRun(), { slot })).toEqual({ outcome: "slot-taken" });
  });

  test("a bad trigger index is refused", async () => {
    await expect(
      openTempStore().createRun(newRun(), { slot: { ...slot, triggerIndex: -1 } }),
    ).rejects.toThrow("createRun: slot.triggerIndex must be an integer >= 0, got -1");
  });
});

describe("claims and leases", () => {
  test("a pending run is claimed once; another owner cannot claim it while the lease holds", async () => {
    const clock = new ManualClock(T0);
    const store = openTempStore({ clock });
    const run = newRun();
    await store.createRun(run);
    expect(await store.claimRun(run.id, "worker-1", at(30_000), at(0))).toBe(true);
    expect(await store.claimRun(run.id, "worker-2", at(60_000), at(5_000))).toBe(false);
    expect(await store.getRun(run.id)).toMatchObject({ status: "running", startedAt: at(0) });
    expect(await store.listLeases()).toEqual([{ runId: run.id, owner: "worker-1", leaseUntil: at(30_000) }]);
  });

  test("a run created with a lease is stored running under it, and held like a claimed one", async () => {
    const store = openTempStore({ clock: new ManualClock(T0) });
    const run = newRun();
    const created = await store.createRun(run, {
      lease: { owner: "worker-1", leaseUntil: at(30_000), startedAt: at(0) },
    });
    // The creation's answer is the run as accepted; the store already has it claimed.
    expect(created).toMatchObject({ outcome: "created", run: { status: "pending", startedAt: null } });
    expect(await store.getRun(run.id)).toMatchObject({ status: "running", startedAt: at(0) });
    expect(await store.listLeases()).toEqual([{ runId: run.id, owner: "worker-1", leaseUntil: at(30_000) }]);
    expect(await store.claimRun(run.id, "worker-2", at(60_000), at(5_000))).toBe(false);
  });

  test("a lease with a bad time or owner is refused naming the field, and nothing is stored", async () => {
    const store = openTempStore({ clock: new ManualClock(T0) });
    const run = newRun();
    await expect(
      store.createRun(run, { lease: { owner: "w", leaseUntil: "soon", startedAt: at(0) } }),
    ).rejects.toThrow('createRun: lease.leaseUntil: not a valid ISO 8601 timestamp: "soon"');
    await expect(
      store.createRun(run, { lease: { owner: "", leaseUntil: at(1), startedAt: at(0) } }),
    ).rejects.toThrow("createRun: lease.owner: must be a non-empty string");
    expect(await store.getRun(run.id)).toBeNull();
  });

  test("an expired lease is taken over, keeping the first startedAt", async () => {
    const clock = new ManualClock(T0);
    const store = openTempStore({ clock });
    const run = newRun();
    await store.createRun(run);
    await store.claimRun(run.id, "worker-1", at(30_000), at(0));
    await clock.advance(30_000);
    expect(await store.claimRun(run.id, "worker-2", at(90_000), at(30_000))).toBe(false);
    await clock.advance(1);
    expect(await store.claimRun(run.id, "worker-2", at(90_000), at(30_001))).toBe(true);
    expect(await store.getRun(run.id)).toMatchObject({ status: "running", startedAt: at(0) });
    expect(await store.listLeases()).toEqual([{ runId: run.id, owner: "worker-2", leaseUntil: at(90_000) }]);
  });

  test("takeoverFrom decides for a live lease, and is asked about the current owner", async () => {
    const store = openTempStore({ clock: new ManualClock(T0) });
    const run = newRun();
    await store.createRun(run);
    await store.claimRun(run.id, "old-process", at(HOUR), at(0));
    const asked: string[] = [];
    const refuse = (owner: string) => {
      asked.push(owner);
      return false;
    };
    expect(await store.claimRun(run.id, "new-process", at(HOUR), at(1), refuse)).toBe(false);
    expect(
      await store.claimRun(run.id, "new-process", at(HOUR), at(1), (owner) => owner === "old-process"),
    ).toBe(true);
    expect(asked).toEqual(["old-process"]);
  });

  test("finished and unknown runs cannot be claimed", async () => {
    const store = openTempStore({ clock: new ManualClock(T0) });
    const run = newRun();
    await store.createRun(run);
    await store.finishRun(run.id, { status: "cancelled", output: null, error: null, completedAt: at(0) });
    expect(await store.claimRun(run.id, "worker", at(HOUR), at(0), () => true)).toBe(false);
    expect(await store.claimRun("run_missing", "worker", at(HOUR), at(0))).toBe(false);
    expect((await store.getRun(run.id))?.status).toBe("cancelled");
  });

  test("renewLeases extends only the owner's running runs", async () => {
    const clock = new ManualClock(T0);
    const store = openTempStore({ clock });
    const mine = newRun();
    const theirs = newRun();
    await Promise.all([store.createRun(mine), store.createRun(theirs)]);
    await store.claimRun(mine.id, "me", at(30_000), at(0));
    await store.claimRun(theirs.id, "them", at(30_000), at(0));
    await store.renewLeases("me", at(120_000));
    await clock.advance(60_000);
    expect(await store.claimRun(mine.id, "intruder", at(HOUR), at(0))).toBe(false);
    expect(await store.claimRun(theirs.id, "intruder", at(HOUR), at(0))).toBe(true);
  });

  test("a bad lease time is refused", async () => {
    await expect(openTempStore().claimRun("run_x", "me", "soon", at(0))).rejects.toThrow(
      'claimRun: leaseUntil: not a valid ISO 8601 timestamp: "soon"',
    );
  });
});
