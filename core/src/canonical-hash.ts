import { finalMix } from "./final-mix.js";

/**
 * A 64-bit hash of values in their canonical JSON form (object keys sorted at every depth,
 * `undefined` and functions left out as JSON leaves them out), computed in one walk over the
 * values without building the JSON text. Every LLM call's prompt is hashed; the walk costs
 * about a third of serialising a sorted copy and hashing it with SHA-256, and allocates only
 * each object's key list.
 *
 * Not a cryptographic hash: it tells accidental repeats apart (two different prompts share a
 * fingerprint with odds of about 1 in 2^64), and like any digest of a short guessable text it
 * can be matched by guessing, but the text cannot be read back from it.
 *
 * The walk feeds 32-bit words into two lanes of MurmurHash3's block mixing with different
 * rotations and constants. Every value is written self-delimiting (a tag, strings with their
 * length, containers closed), so different canonical texts give different word sequences.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const TAG_NULL = 0x6e;
const TAG_TRUE = 0x74;
const TAG_FALSE = 0x66;
const TAG_INT = 0x69;
const TAG_NUMBER = 0x64;
const TAG_STRING = 0x22;
const TAG_ARRAY = 0x5b;
const TAG_ARRAY_END = 0x5d;
const TAG_OBJECT = 0x7b;
const TAG_OBJECT_END = 0x7d;
/** Deeper than any prompt; a cyclic value stops here, as `JSON.stringify` would refuse it. */
const MOST_DEPTH = 1000;

// The lanes and the word count of the hash being computed. Hashing is synchronous, so one set
// serves every hash; a hash begun inside another (by a `toJSON`) puts the outer one's back.
let laneA = 0;
let laneB = 0;
let words = 0;

function word(value: number): void {
  let k = Math.imul(value, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  laneA ^= k;
  laneA = (laneA << 13) | (laneA >>> 19);
  laneA = (Math.imul(laneA, 5) + 0xe6546b64) | 0;
  laneB ^= k;
  laneB = (laneB << 15) | (laneB >>> 17);
  laneB = (Math.imul(laneB, 5) + 0x52dce729) | 0;
  words++;
}

/**
 * A string as its UTF-16 code units, two to a word, after its tag and length. The mixing of
 * `word` is repeated here on local variables: this loop runs over every character of every prompt.
 */
function text(value: string): void {
  const length = value.length;
  word(TAG_STRING);
  word(length);
  let a = laneA;
  let b = laneB;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    let k = value.charCodeAt(i) | (value.charCodeAt(i + 1) << 16);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    b ^= k;
    b = (b << 15) | (b >>> 17);
    b = (Math.imul(b, 5) + 0x52dce729) | 0;
  }
  laneA = a;
  laneB = b;
  words += length >> 1;
  if (i < length) word(value.charCodeAt(i));
}

/**
 * An object's keys in the order `.sort()` gives (UTF-16 code units). A prompt has a few keys
 * per message; sorting them in place by insertion makes no garbage, where `Array.prototype.sort`
 * allocates sort state on each call.
 */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

function walk(value: unknown, depth: number): void {
  if (typeof value === "string") text(value);
  else if (typeof value === "number") number(value);
  else if (typeof value === "boolean") word(value ? TAG_TRUE : TAG_FALSE);
  else if (typeof value === "bigint")
    throw new TypeError("a BigInt has no JSON form, so it cannot be fingerprinted");
  // undefined, functions and symbols: JSON writes null for them in an array (an object leaves them out).
  else if (value === null || typeof value !== "object") word(TAG_NULL);
  else if (depth > MOST_DEPTH) throw new TypeError("the value is cyclic or nested too deeply to fingerprint");
  else if (typeof (value as { toJSON?: unknown }).toJSON === "function")
    walk((value as { toJSON(): unknown }).toJSON(), depth + 1);
  else if (Array.isArray(value)) {
    word(TAG_ARRAY);
    for (let i = 0; i < value.length; i++) walk(value[i], depth + 1);
    word(TAG_ARRAY_END);
  } else {
    word(TAG_OBJECT);
    const keys = sortedKeys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined || typeof member === "function" || typeof member === "symbol") continue;
      text(key);
      walk(member, depth + 1);
    }
    word(TAG_OBJECT_END);
  }
}

/** One number, one form: JSON writes 1 and 1.0 alike, and Infinity and NaN as null. */
function number(value: number): void {
  if (Number.isInteger(value) && value >= -0x8000_0000 && value <= 0x7fff_ffff) {
    word(TAG_INT);
    word(value);
  } else if (Number.isFinite(value)) {
    word(TAG_NUMBER);
    text(String(value));
  } else {
    word(TAG_NULL);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex32(value: number): string {
  return (
    HEX[(value >>> 24) & 255]! + HEX[(value >>> 16) & 255]! + HEX[(value >>> 8) & 255]! + HEX[value & 255]!
  );
}

/**
 * The hash of a sequence of values, each in its canonical JSON form: 16 hex digits. Equal to
 * the hash of the same values whatever the key order of their objects.
 * @example canonicalHash("read_file", { path: "a.ts", encoding: "utf8" })
 */
export function canonicalHash(...values: unknown[]): string {
  const outerA = laneA;
  const outerB = laneB;
  const outerWords = words;
  laneA = 0x9747_b28c;
  laneB = 0x5bd1_e995;
  words = 0;
  try {
    for (const value of values) walk(value, 0);
    const a = finalMix(laneA ^ words);
    const b = finalMix(laneB ^ words);
    // Crossed, so each half of the result depends on both lanes.
    const high = finalMix((a + b) | 0);
    return hex32(high) + hex32(finalMix(b ^ high));
  } finally {
    laneA = outerA;
    laneB = outerB;
    words = outerWords;
  }
}
