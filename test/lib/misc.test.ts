import { expect, test } from "bun:test";
import { TypedEmitter } from "../../src/lib/emitter.ts";
import { constantTimeEqual, sha256Bytes, sha256Hex } from "../../src/lib/hash.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { maskSecrets } from "../../src/lib/mask.ts";

test("secrets are masked wherever they appear, short values are left alone", () => {
  expect(maskSecrets("token sk_live_123 and sk_live_123", ["sk_live_123", "ab"])).toBe("token *** and ***");
  expect(maskSecrets("ab cd", ["ab"])).toBe("ab cd");
});

test("sha256 and constant-time comparison", () => {
  expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  expect(sha256Hex(new TextEncoder().encode("abc"))).toBe(sha256Hex("abc"));
  expect(constantTimeEqual("same", "same")).toBe(true);
  expect(constantTimeEqual("same", "sane")).toBe(false);
  expect(constantTimeEqual("short", "longer")).toBe(false);
  expect(sha256Bytes("abc").toHex()).toBe(sha256Hex("abc"));
  expect(constantTimeEqual(sha256Bytes("abc"), Buffer.from(sha256Hex("abc"), "hex"))).toBe(true);
  expect(constantTimeEqual(sha256Bytes("abc"), sha256Bytes("abd"))).toBe(false);
  expect(constantTimeEqual(sha256Bytes("abc"), sha256Bytes("abc").subarray(1))).toBe(false);
});

test("the logger writes one JSON object per line and redacts secrets", () => {
  const lines: string[] = [];
  const logger = createLogger({ write: (l) => lines.push(l), redact: () => ["hunter22"], level: "info" });
  logger.debug("hidden");
  logger.child({ component: "test" }).info("password is hunter22", { runId: "run_1" });
  expect(lines).toHaveLength(1);
  const entry = JSON.parse(lines[0] as string);
  expect(entry).toMatchObject({ level: "info", msg: "password is ***", component: "test", runId: "run_1" });
});

test("the emitter delivers typed events, survives throwing listeners and supports waitFor", async () => {
  const emitter = new TypedEmitter<{ "run:completed": { id: string } }>();
  const seen: string[] = [];
  emitter.on("run:completed", () => {
    throw new Error("bad listener");
  });
  const off = emitter.on("run:completed", (run) => seen.push(run.id));
  const waited = emitter.waitFor("run:completed", (run) => run.id === "b");
  emitter.emit("run:completed", { id: "a" });
  emitter.emit("run:completed", { id: "b" });
  off();
  emitter.emit("run:completed", { id: "c" });
  expect(await waited).toEqual({ id: "b" });
  expect(seen).toEqual(["a", "b"]);
});

test("listeners added or removed during an emit take part from the next emit", () => {
  const emitter = new TypedEmitter<{ tick: number }>();
  const seen: string[] = [];
  const late = (n: number) => seen.push(`late ${n}`);
  let offSecond = () => {};
  emitter.on("tick", (n) => {
    seen.push(`first ${n}`);
    if (n === 1) {
      emitter.on("tick", late);
      offSecond();
    }
  });
  offSecond = emitter.on("tick", (n) => seen.push(`second ${n}`));
  emitter.on("tick", late);
  emitter.emit("tick", 1);
  emitter.emit("tick", 2);
  expect(seen).toEqual(["first 1", "second 1", "late 1", "first 2", "late 2"]);
});
