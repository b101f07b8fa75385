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
