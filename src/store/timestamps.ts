// Timestamps as the store keeps them: ISO 8601 UTC with milliseconds, compared as text.

/**
 * Checks a timestamp and returns it as ISO 8601 UTC with milliseconds: the store compares
 * timestamps as text, which is only correct when they all have that one form.
 */
export function isoParam(value: string, field: string): string {
  // Already in the one form (what isoTime produces): no Date round trip on the hot path.
  if (typeof value === "string" && !Number.isNaN(rememberedCanonicalMs(value))) return value;
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new Error(`${field}: not a valid ISO 8601 timestamp: ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

/** Epoch milliseconds of a stored timestamp (fast for the one stored form). */
export function timeMs(value: string): number {
  const ms = rememberedCanonicalMs(value);
  return Number.isNaN(ms) ? Date.parse(value) : ms;
}

let lastParsed = "";
let lastParsedMs = Number.NaN;

/** canonicalTimeMs, remembering the last string: a run's timestamps repeat within one millisecond. */
function rememberedCanonicalMs(value: string): number {
  if (value !== lastParsed) {
    lastParsedMs = canonicalTimeMs(value);
    lastParsed = value;
  }
  return lastParsedMs;
}

const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

/**
 * Epoch milliseconds of a timestamp in the one stored form (`YYYY-MM-DDTHH:MM:SS.sssZ`) naming a
 * real instant, else NaN. Date.parse accepts impossible dates such as February 30 or hour 24 and
 * rolls them over; such text must be normalised before it is stored and compared as text.
 */
export function canonicalTimeMs(value: string): number {
  if (!CANONICAL_TIME.test(value)) return Number.NaN;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const commonYear = year % 4 !== 0 || (year % 100 === 0 && year % 400 !== 0);
  const lastDay = month === 2 && commonYear ? 28 : (DAYS_IN_MONTH[month - 1] as number);
  if (month < 1 || month > 12 || day < 1 || day > lastDay) {
    return Number.NaN;
  }
  const hours = digits(value, 11, 2);
  const minutes = digits(value, 14, 2);
  const seconds = digits(value, 17, 2);
  if (hours > 23 || minutes > 59 || seconds > 59) return Number.NaN;
  const ms = digits(value, 20, 3);
  // Date.UTC reads years 0-99 as 1900-1999; 400 Gregorian years later is the same calendar.
  if (year < 100)
    return Date.UTC(year + 400, month - 1, day, hours, minutes, seconds, ms) - GREGORIAN_CYCLE_MS;
  return Date.UTC(year, month - 1, day, hours, minutes, seconds, ms);
}
