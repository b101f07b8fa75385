import { expect, test } from "bun:test";
import { prefixedId, ulid } from "../../src/lib/ids.ts";

test("ulids are 26 Crockford characters", () => {
  expect(ulid()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
});

test("ids made in the same millisecond still sort in creation order", () => {
  const ids = Array.from({ length: 1000 }, () => prefixedId("run", 1_700_000_000_000));
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(1000);
});

test("later times sort after earlier ones, and the prefix is kept", () => {
  const a = prefixedId("run", 1_700_000_000_000);
  const b = prefixedId("run", 1_700_000_000_001);
  expect(a.startsWith("run_")).toBe(true);
  expect(a < b).toBe(true);
});

test("the time part encodes the milliseconds as the ULID specification does", async () => {
  // A fresh copy of the module: ids made earlier in this file hold a later time, and the
  // generator never goes back in time.
  const fresh = (await import(
    `../../src/lib/ids.ts?fresh=${Date.now()}`
  )) as typeof import("../../src/lib/ids.ts");
  expect(fresh.ulid(1_469_918_176_385).slice(0, 10)).toBe("01ARYZ6S41");
  expect(fresh.ulid(281_474_976_710_655).slice(0, 10)).toBe("7ZZZZZZZZZ");
});

test("an increment carries into the next digit and keeps every id 26 characters", () => {
  const ids = Array.from({ length: 20_000 }, () => ulid(1_700_000_000_000));
  for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(ids);
});
