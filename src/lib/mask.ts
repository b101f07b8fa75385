export const MASK = "***";

/**
 * Replaces every occurrence of each secret value in `text` with `***`.
 * Values shorter than 4 characters are not masked: masking them would shred ordinary text.
 */
export function maskSecrets(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const value of secretValues) {
    if (value.length < 4) continue;
    out = out.split(value).join(MASK);
  }
  return out;
}
