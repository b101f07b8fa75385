import { expect, test } from "bun:test";
import { isoTime } from "../../src/core/run.ts";

test("isoTime formats each millisecond as ISO 8601 UTC, also when values repeat and alternate", () => {
  const t0 = Date.parse("2026-01-15T10:00:00.000Z");
  const stamps = [t0, t0, t0 + 1, t0, t0 + 86_400_000].map(isoTime);
  expect(stamps).toEqual([
    "2026-01-15T10:00:00.000Z",
    "2026-01-15T10:00:00.000Z",
    "2026-01-15T10:00:00.001Z",
    "2026-01-15T10:00:00.000Z",
    "2026-01-16T10:00:00.000Z",
  ]);
  expect(() => isoTime(Number.NaN)).toThrow(RangeError);
});
