const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_DIGITS = 16;
// Random bytes are drawn from the system in blocks: one getRandomValues call per id showed up
// in the request path's profile (every request and every run gets an id).
const POOL_IDS = 256;

let lastTime = -1;
let lastTimeText = "";
const lastRandom = new Uint8Array(RANDOM_DIGITS);
const pool = new Uint8Array(RANDOM_DIGITS * POOL_IDS);
let poolOffset = pool.length;

function encodeTime(time: number): string {
  let out = "";
  let rest = time;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Fills `lastRandom` with fresh random base-32 digits. */
function randomDigits(): void {
  if (poolOffset >= pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  for (let i = 0; i < RANDOM_DIGITS; i++) lastRandom[i] = (pool[poolOffset + i] as number) % 32;
  poolOffset += RANDOM_DIGITS;
}

/** Increments the random part so that ids made in the same millisecond still sort in creation order. */
function increment(): void {
  for (let i = RANDOM_DIGITS - 1; i >= 0; i--) {
    if ((lastRandom[i] as number) < 31) {
      lastRandom[i] = (lastRandom[i] as number) + 1;
      return;
    }
    lastRandom[i] = 0;
  }
  randomDigits();
}

/** A monotonic ULID: 26 Crockford base-32 characters that sort by creation time. */
export function ulid(time: number = Date.now()): string {
  if (time <= lastTime) {
    increment();
  } else {
    lastTime = time;
    lastTimeText = encodeTime(time);
    randomDigits();
  }
  let out = lastTimeText;
  for (let i = 0; i < RANDOM_DIGITS; i++) out += CROCKFORD[lastRandom[i] as number];
  return out;
}

/** A sortable id with a prefix, e.g. `run_01J...`. */
export function prefixedId(prefix: string, time?: number): string {
  return `${prefix}_${ulid(time)}`;
}
