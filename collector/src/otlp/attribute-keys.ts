import type { Reader } from "./wire.js";

/**
 * Attribute keys repeat in every span ("gen_ai.usage.input_tokens", …). Decoding each one afresh and
 * then having V8 intern it as a property name was the largest single cost of decoding, so keys up to
 * 64 bytes go through a small direct-mapped cache from their UTF-8 bytes to the interned string.
 * A collision only replaces the slot; the cache never holds more than `KEY_CACHE_SIZE` short keys.
 */
const KEY_CACHE_SIZE = 1024;
const MAX_CACHED_KEY_BYTES = 64;
const cachedKeyBytes: (Uint8Array | undefined)[] = new Array(KEY_CACHE_SIZE).fill(undefined);
const cachedKeys: string[] = new Array(KEY_CACHE_SIZE).fill("");

/** Reads a KeyValue's key (a length-delimited string), reusing the cached string when the bytes match. */
export function readKey(reader: Reader): string {
  const length = reader.uint32();
  const start = reader.pos;
  const end = start + length;
  if (end > reader.len) throw new RangeError(`index out of range: ${start} + ${length} > ${reader.len}`);
  reader.pos = end;
  // readerFor() always hands protobufjs a Buffer, whose toString decodes UTF-8 natively.
  const buf = reader.buf as Buffer;
  if (length > MAX_CACHED_KEY_BYTES) return buf.toString("utf8", start, end);
  let hash = length;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + buf[i]!) | 0;
  const slot = hash & (KEY_CACHE_SIZE - 1);
  const cached = cachedKeyBytes[slot];
  if (cached !== undefined && cached.length === length && sameBytes(cached, buf, start)) {
    return cachedKeys[slot]!;
  }
  const key = buf.toString("utf8", start, end);
  cachedKeyBytes[slot] = Uint8Array.prototype.slice.call(buf, start, end);
  cachedKeys[slot] = key;
  return key;
}

function sameBytes(cached: Uint8Array, buf: Uint8Array, start: number): boolean {
  for (let i = 0; i < cached.length; i++) if (cached[i] !== buf[start + i]) return false;
  return true;
}
