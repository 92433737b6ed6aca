import protobuf from "protobufjs";
import { OtlpDecodeError } from "./decode-error.js";
import { bytesToHex } from "./hex.js";

/**
 * Protobuf wire-format reads on top of protobufjs's `Reader`, which does the varint and bounds work.
 * Decoding walks the bytes straight into spans instead of building protobufjs message objects first:
 * that intermediate tree (one object per KeyValue and AnyValue, a `Long` per 64-bit field) cost more
 * than everything else, and the walk decodes about three times as many spans per second.
 */
export type Reader = protobuf.Reader;

/** Wire types, the low three bits of a tag. */
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;

/** The tag byte(s) for a field, as they appear on the wire: `(field << 3) | wireType`. */
export function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

/** Same bound as protobufjs and protoc put on nested messages. */
export const MAX_DEPTH = 100;

/** A Buffer reader over `body` without copying: Buffers read strings natively (`utf8Slice`). */
export function readerFor(body: Uint8Array): Reader {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return protobuf.Reader.create(buffer);
}

/**
 * Starts reading a length-delimited message: narrows the reader's limit to its end, so every read
 * inside is bounds-checked against the message rather than the whole body. Returns the outer limit,
 * which the caller restores with `reader.len = outer` once `reader.pos` reaches the end.
 */
export function enterMessage(reader: Reader): number {
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > reader.len) throw outOfRange(reader, length);
  const outer = reader.len;
  reader.len = end;
  return outer;
}

/** Skips a field this decoder does not use, as the protobuf rules say unknown fields must be. */
export function skipField(reader: Reader, fieldTag: number): void {
  reader.skipType(fieldTag & 7, 0, fieldTag >>> 3);
}

/** A bytes field as lowercase hex, read without slicing the buffer. */
export function readHex(reader: Reader): string {
  const length = reader.uint32();
  const start = reader.pos;
  const end = start + length;
  if (end > reader.len) throw outOfRange(reader, length);
  reader.pos = end;
  return bytesToHex(reader.buf, start, end);
}

/** A fixed64 as an exact bigint: nanosecond timestamps are past 2^53, where numbers lose digits. */
export function readFixed64(reader: Reader): bigint {
  const buf = reader.buf;
  const pos = reader.pos;
  if (pos + 8 > reader.len) throw outOfRange(reader, 8);
  reader.pos = pos + 8;
  const low = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
  const high = (buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24)) >>> 0;
  return high === 0 ? BigInt(low) : (BigInt(high) << 32n) | BigInt(low);
}

/**
 * An int64 varint as a number, exact while |value| < 2^53 (token counts fit; larger values lose
 * precision). Read by hand because protobufjs would allocate a `Long` for each one.
 */
export function readInt64(reader: Reader): number {
  const buf = reader.buf;
  let low = 0;
  let high = 0;
  for (let i = 0; i < 10; i++) {
    if (reader.pos >= reader.len) throw outOfRange(reader, 1);
    const byte = buf[reader.pos++]!;
    if (i < 4) low |= (byte & 0x7f) << (7 * i);
    else if (i === 4) {
      low |= (byte & 0x0f) << 28;
      high |= (byte & 0x7f) >>> 4;
    } else high |= (byte & 0x7f) << (7 * i - 32);
    if (byte < 0x80) return (high | 0) * 4294967296 + (low >>> 0);
  }
  throw new Error("invalid varint encoding");
}

function outOfRange(reader: Reader, length: number): RangeError {
  return new RangeError(`index out of range: ${reader.pos} + ${length} > ${reader.len}`);
}

/**
 * Turns what protobufjs's reader throws on malformed bytes (RangeError, or a plain Error such as
 * "invalid wire type 7") into an OtlpDecodeError; anything else is a bug and is rethrown as it is.
 */
export function asDecodeError(error: unknown): unknown {
  if (error instanceof RangeError || (error instanceof Error && error.constructor === Error)) {
    return new OtlpDecodeError(`invalid protobuf: ${error.message}`, { cause: error });
  }
  return error;
}
