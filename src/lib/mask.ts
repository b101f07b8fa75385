export const MASK = "***";

/** Shorter values are not masked: masking them would shred ordinary text. */
export const MIN_MASKED_LENGTH = 4;

/** Replaces the secret values in a text with `***`. */
export type Masker = (text: string) => string;

const KEEP_TEXT: Masker = (text) => text;

/**
 * Compiles a masker for these secret values. Besides each value it masks each line of a
 * multi-line value (output is logged line by line, so a PEM key never appears whole in one log
 * line) and each value's percent-encoded and JSON-escaped forms (a secret in a URL or inside JSON
 * text). Where occurrences overlap (one secret contains or overlaps another), the whole span
 * they cover becomes one `***`, so no part of the longer secret is left.
 */
export function createMasker(secretValues: readonly string[]): Masker {
  const forms = [...new Set(secretValues.flatMap(formsOf))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return KEEP_TEXT;
  // A lookahead finds, at every position, the longest form starting there (the alternation is
  // longest first); matching forms themselves would skip occurrences that start inside another.
  const pattern = new RegExp(`(?=(${forms.map(formPattern).join("|")}))`, "g");
  return (text) => maskMatches(text, pattern);
}

const recent = new Map<string, Masker>();

/**
 * Replaces every occurrence of each secret value in `text` with `***` (see createMasker for what
 * counts as an occurrence). Values shorter than 4 characters are not masked. Maskers are cached
 * by their values, so callers that mask line by line do not recompile one per line.
 */
export function maskSecrets(text: string, secretValues: readonly string[]): string {
  const key = JSON.stringify(secretValues);
  let masker = recent.get(key);
  if (!masker) {
    // A handful of distinct secret sets exist in a process; the cap only guards against misuse.
    if (recent.size >= 16) recent.clear();
    masker = createMasker(secretValues);
    recent.set(key, masker);
  }
  return masker(text);
}

/** The texts that count as an occurrence of one secret value. */
function formsOf(value: string): string[] {
  if (value.length < MIN_MASKED_LENGTH) return [];
  const lines = value.includes("\n") ? value.split(/\r?\n/).map((line) => line.trim()) : [];
  const forms = [value, ...lines].filter((form) => form.length >= MIN_MASKED_LENGTH);
  return forms.flatMap((form) => [form, ...encodedForms(form)]);
}

function encodedForms(text: string): string[] {
  const forms = [JSON.stringify(text).slice(1, -1), new URLSearchParams({ x: text }).toString().slice(2)];
  try {
    forms.push(encodeURIComponent(text), encodeURI(text));
  } catch {
    // A lone surrogate cannot be percent-encoded, so it never appears that way either.
  }
  return forms.filter((form) => form !== text);
}

/** The form as a regular expression; escapes match in either case (`%7B` and `%7b`). */
function formPattern(form: string): string {
  const escaped = form.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  return escaped.replace(/%([0-9A-F])([0-9A-F])/g, (_, high: string, low: string) => {
    return `%${eitherCase(high)}${eitherCase(low)}`;
  });
}

function eitherCase(digit: string): string {
  return /[A-F]/.test(digit) ? `[${digit}${digit.toLowerCase()}]` : digit;
}

/** Replaces the union of the matched spans; overlapping spans merge, adjacent ones stay apart. */
function maskMatches(text: string, pattern: RegExp): string {
  let out = "";
  let copied = 0;
  let start = -1;
  let end = -1;
  for (const match of text.matchAll(pattern)) {
    const from = match.index;
    const to = from + (match[1] as string).length;
    if (from < end) {
      end = Math.max(end, to);
      continue;
    }
    if (start >= 0) {
      out += text.slice(copied, start) + MASK;
      copied = end;
    }
    start = from;
    end = to;
  }
  if (start < 0) return text;
  return `${out}${text.slice(copied, start)}${MASK}${text.slice(end)}`;
}
