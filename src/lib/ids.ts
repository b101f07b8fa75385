const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(time: number): string {
  let out = "";
  let rest = time;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function randomDigits(): number[] {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b % 32);
}

/** Increments the random part so that ids made in the same millisecond still sort in creation order. */
function increment(digits: number[]): number[] {
  const next = digits.slice();
  for (let i = next.length - 1; i >= 0; i--) {
    if ((next[i] as number) < 31) {
      next[i] = (next[i] as number) + 1;
      return next;
    }
    next[i] = 0;
  }
  return randomDigits();
}

/** A monotonic ULID: 26 Crockford base-32 characters that sort by creation time. */
export function ulid(time: number = Date.now()): string {
  if (time <= lastTime) {
    lastRandom = increment(lastRandom);
    time = lastTime;
  } else {
    lastTime = time;
    lastRandom = randomDigits();
  }
  return encodeTime(time) + lastRandom.map((d) => CROCKFORD[d]).join("");
}

/** A sortable id with a prefix, e.g. `run_01J...`. */
export function prefixedId(prefix: string, time?: number): string {
  return `${prefix}_${ulid(time)}`;
}
