import { finalMix } from "../final-mix.js";

/**
 * Steps are compared as 32-bit hashes so that a run's history fits in one small typed array
 * instead of holding dozens of strings. A false match needs a 1-in-4-billion collision, and a
 * finding needs several false matches in a row, so hashing costs no real accuracy.
 *
 * The low bit tags the step's kind: 1 for an LLM step, 0 for a tool step, so detectors can tell
 * them apart from the hash alone.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Different seeds keep a prompt step, a tool-call step and a tool step apart even for equal text. */
const SEED_PROMPT = 0x2f1b_c0de;
const SEED_TOOL_CALLS = 0x5ad1_7e11;
const SEED_TOOL = 0x7001_babe;
const SEED_RESULT = 0x0e5a_1735;

/**
 * FNV-1a over a string's UTF-16 code units, then murmur3's final mix: FNV alone leaves the
 * high bits poorly mixed for short inputs.
 */
export function hashText(text: string, seed: number = FNV_OFFSET): number {
  let h = seed ^ FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return finalMix(h);
}

/**
 * The step of an LLM call that requested tools. The calls are combined as a multiset (a sum
 * of hashes), because a model that asks for the same parallel calls in another order has
 * taken the same step.
 */
export function toolCallsStep(fingerprints: readonly string[]): number {
  let sum = 0;
  for (const fingerprint of fingerprints) sum = (sum + hashText(fingerprint, SEED_TOOL_CALLS)) | 0;
  return finalMix(sum) | 1;
}

/** The step of an LLM call that requested no tools: its prompt. */
export function promptStep(promptFingerprint: string): number {
  return hashText(promptFingerprint, SEED_PROMPT) | 1;
}

/** The step of a tool execution: `tool:<toolName>`. Its arguments are not on the span. */
export function toolStep(toolName: string): number {
  return hashText(toolName, SEED_TOOL) & ~1;
}

/** A tool's result, keyed by tool so that two tools answering "[]" are not one lack of progress. */
export function resultHash(toolName: string, digest: string): number {
  return hashText(digest, hashText(toolName, SEED_RESULT));
}

/** Folds a step into a running hash of a sequence (order matters), e.g. a D3 turn's signature. */
export function combine(sequence: number, step: number): number {
  return finalMix((Math.imul(sequence, 31) + step) | 0);
}

/** True for hashes made by `toolCallsStep` or `promptStep`. */
export function isLlmStep(step: number): boolean {
  return (step & 1) === 1;
}

/** A 64-bit SimHash split into two 32-bit halves; undefined when the text is not 1-16 hex digits. */
export function parseSimHash(hex: string | undefined): [number, number] | undefined {
  if (hex === undefined || !/^[0-9a-fA-F]{1,16}$/.test(hex)) return undefined;
  const padded = hex.padStart(16, "0");
  return [Number.parseInt(padded.slice(0, 8), 16) | 0, Number.parseInt(padded.slice(8), 16) | 0];
}

/** Bits that differ between two 64-bit SimHashes given as halves. */
export function hammingDistance(aHigh: number, aLow: number, bHigh: number, bLow: number): number {
  return popCount(aHigh ^ bHigh) + popCount(aLow ^ bLow);
}

function popCount(value: number): number {
  let v = value - ((value >>> 1) & 0x5555_5555);
  v = (v & 0x3333_3333) + ((v >>> 2) & 0x3333_3333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f_0f0f, 0x0101_0101) >>> 24) & 0xff;
}
