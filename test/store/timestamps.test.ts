import { describe, expect, test } from "bun:test";
import { canonicalTimeMs, isoParam } from "../../src/store/timestamps.ts";

describe("canonicalTimeMs", () => {
  test("agrees with Date.parse on real instants across the calendar", () => {
    const instants = [
      "2026-12-02T20:09:46.123Z",
      "2024-02-29T23:59:59.999Z",
      "2000-02-29T00:00:00.000Z",
      "1970-01-01T00:00:00.000Z",
      "1969-12-31T23:59:59.999Z",
      "0050-06-15T12:00:00.000Z",
      "0000-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.999Z",
    ];
    // A spread of instants a year apart plus odd offsets, so every month, day and hour comes up.
    for (let i = 0; i < 2_000; i++) {
      instants.push(new Date(Date.UTC(1900, 0, 1) + i * 15_778_463_117 + i * 3_601_001).toISOString());
    }
    for (const value of instants) expect([value, canonicalTimeMs(value)]).toEqual([value, Date.parse(value)]);
  });

  test("is NaN for dates that do not exist, which Date.parse would roll over", () => {
    for (const value of [
      "2026-02-30T00:00:00.000Z",
      "2026-02-29T00:00:00.000Z",
      "2100-02-29T00:00:00.000Z",
      "2026-04-31T00:00:00.000Z",
      "2026-00-10T00:00:00.000Z",
      "2026-13-10T00:00:00.000Z",
      "2026-01-00T00:00:00.000Z",
      "2026-12-31T24:00:00.000Z",
      "2026-12-31T23:60:00.000Z",
      "2026-12-31T23:59:60.000Z",
    ]) {
      expect([value, canonicalTimeMs(value)]).toEqual([value, Number.NaN]);
    }
  });

  test("is NaN for any other form of timestamp", () => {
    for (const value of [
      "2026-12-02T20:09:46Z",
      "2026-12-02T20:09:46.123+00:00",
      "2026-12-02 20:09:46.123Z",
      "2026-12-02T20:09:46.1234Z",
      "+002026-12-02T20:09:46.123Z",
      "yesterday",
      "",
    ]) {
      expect([value, canonicalTimeMs(value)]).toEqual([value, Number.NaN]);
    }
  });
});

describe("isoParam", () => {
  test("keeps a canonical timestamp as it is and brings other forms to it", () => {
    expect(isoParam("2026-12-02T20:09:46.123Z", "at")).toBe("2026-12-02T20:09:46.123Z");
    expect(isoParam("2026-12-02T21:09:46+01:00", "at")).toBe("2026-12-02T20:09:46.000Z");
  });

  test("stores an impossible date as the instant it stands for, so text order stays time order", () => {
    // Kept as text, 2026-02-30 would sort before 2026-03-01 although it means 2026-03-02.
    expect(isoParam("2026-02-30T00:00:00.000Z", "at")).toBe("2026-03-02T00:00:00.000Z");
    expect(isoParam("2026-12-31T24:00:00.000Z", "at")).toBe("2027-01-01T00:00:00.000Z");
  });

  test("names the field of a value that is no timestamp", () => {
    expect(() => isoParam("soon", "lease.leaseUntil")).toThrow(
      'lease.leaseUntil: not a valid ISO 8601 timestamp: "soon"',
    );
  });
});
