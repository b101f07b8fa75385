const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DIGIT_CODES = Uint8Array.from(CROCKFORD, (digit) => digit.charCodeAt(0));
const TIME_DIGITS = 10;
const RANDOM_DIGITS = 16;
// Random bytes are drawn from the system in blocks: one getRandomValues call per id showed up
// in the request path's profile (every request and every run gets an id).
const POOL_IDS = 256;

let lastTime = -1;
const lastRandom = new Uint8Array(RANDOM_DIGITS);
// The last id as character codes, decoded in one call: appending 26 characters one by one built
// a rope string that was flattened again wherever the id was used.
const lastIdCodes = new Uint8Array(TIME_DIGITS + RANDOM_DIGITS);
const ascii = new TextDecoder("latin1");
const pool = new Uint8Array(RANDOM_DIGITS * POOL_IDS);
let poolOffset = pool.length;

function encodeTime(time: number): void {
  let rest = time;
  for (let i = TIME_DIGITS - 1; i >= 0; i--) {
    lastIdCodes[i] = DIGIT_CODES[rest % 32] as number;
    rest = Math.floor(rest / 32);
  }
}

function setRandomDigit(index: number, digit: number): void {
  lastRandom[index] = digit;
  lastIdCodes[TIME_DIGITS + index] = DIGIT_CODES[digit] as number;
}

/** Fills `lastRandom` with fresh random base-32 digits. */
function randomDigits(): void {
  if (poolOffset >= pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  for (let i = 0; i < RANDOM_DIGITS; i++) setRandomDigit(i, (pool[poolOffset + i] as number) % 32);
  poolOffset += RANDOM_DIGITS;
}

/** Increments the random part so that ids made in the same millisecond still sort in creation order. */
function increment(): void {
  for (let i = RANDOM_DIGITS - 1; i >= 0; i--) {
    if ((lastRandom[i] as number) < 31) {
      setRandomDigit(i, (lastRandom[i] as number) + 1);
      return;
    }
    setRandomDigit(i, 0);
  }
  randomDigits();
}

/** A monotonic ULID: 26 Crockford base-32 characters that sort by creation time. */
export function ulid(time: number = Date.now()): string {
  if (time <= lastTime) {
    increment();
  } else {
    lastTime = time;
    encodeTime(time);
    randomDigits();
  }
  return ascii.decode(lastIdCodes);
}

/** A sortable id with a prefix, e.g. `run_01J...`. */
export function prefixedId(prefix: string, time?: number): string {
  return `${prefix}_${ulid(time)}`;
}
