import { describe, expect, test } from "bun:test";
import { formatDuration, parseByteSize, parseDuration } from "../../src/lib/duration.ts";

describe("parseDuration", () => {
  test("reads single and combined units", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("1.5s")).toBe(1500);
  });

  test("takes bare numbers as milliseconds", () => {
    expect(parseDuration("250")).toBe(250);
    expect(parseDuration(42)).toBe(42);
  });

  test("rejects what is not a duration", () => {
    for (const bad of ["", "10x", "s", "1 h", "-5s", "1h-", "abc"]) expect(parseDuration(bad)).toBeNull();
    expect(parseDuration(-1)).toBeNull();
    expect(parseDuration(Number.NaN)).toBeNull();
  });
});

describe("formatDuration", () => {
  test("is readable at every scale", () => {
    expect(formatDuration(850)).toBe("850ms");
    expect(formatDuration(1234)).toBe("1.2s");
    expect(formatDuration(184_000)).toBe("3m4s");
  });
});

describe("parseByteSize", () => {
  test("reads units case-insensitively", () => {
    expect(parseByteSize("1mb")).toBe(1_048_576);
    expect(parseByteSize("512KB")).toBe(524_288);
    expect(parseByteSize("100")).toBe(100);
  });

  test("rejects bad sizes", () => {
    expect(parseByteSize("1tb")).toBeNull();
    expect(parseByteSize("mb")).toBeNull();
    expect(parseByteSize(1.5)).toBeNull();
  });
});
