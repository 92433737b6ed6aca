import { JsonFieldError } from "./decode-error.js";
import { normaliseHex } from "./hex.js";

/**
 * Typed reads of OTLP/JSON fields. Each takes the field's name only to put it in the error; callers
 * prefix the enclosing path (see `nestError`). Per the protobuf JSON mapping, null means "not set".
 */
export type JsonObject = Record<string, unknown>;

const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/** Thrown when a fixed64 arrived as a JSON number too large for a double to hold exactly. */
export class InexactNumberSignal {
  constructor(readonly field: string) {}
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(truncate(value))}`;
  if (typeof value === "object") return "an object";
  return `the ${typeof value} ${String(value)}`;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function readObject(value: unknown, field: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new JsonFieldError(field, `expected an object, got ${describe(value)}`);
  return value;
}

export function readArray(value: unknown, field: string): readonly unknown[] {
  if (value === undefined || value === null) return NO_ITEMS;
  if (!Array.isArray(value)) throw new JsonFieldError(field, `expected an array, got ${describe(value)}`);
  return value;
}

export function readString(value: unknown, field: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new JsonFieldError(field, `expected a string, got ${describe(value)}`);
  return value;
}

/** OTLP/JSON requires enums as integers; names are rejected with a message that says so. */
export function readEnum(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new JsonFieldError(field, `expected an integer enum value, got ${describe(value)}`);
  }
  return value;
}

/**
 * Trace and span ids are hex in OTLP/JSON (not base64 as in plain protobuf JSON). Text that is not
 * hex is a malformed message; well-formed hex of the wrong length is left for span validation.
 */
export function readId(value: unknown, field: string, hexLength: number): string {
  if (value === undefined || value === null) return "";
  const hex = typeof value === "string" ? normaliseHex(value) : undefined;
  if (hex === undefined) {
    throw new JsonFieldError(field, `expected ${hexLength} hex characters, got ${describe(value)}`);
  }
  return hex;
}

const DECIMAL = /^\d+$/;
const FLOAT = /^-?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/;
const SIGNED_DECIMAL = /^-?\d+$/;
const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * A fixed64 (nanosecond time) from a decimal string or a number, as the protobuf JSON mapping allows.
 * A number above 2^53 has already lost digits in `JSON.parse`; unless `exact` says the body was re-read
 * with such numbers quoted, that raises `InexactNumberSignal` so the caller can re-read it.
 */
export function readFixed64(value: unknown, field: string, exact: boolean): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === "string" && DECIMAL.test(value)) {
    const result = BigInt(value);
    if (result <= MAX_UINT64) return result;
  } else if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value < 2 ** 64) {
    if (Number.isSafeInteger(value) || exact) return BigInt(value);
    throw new InexactNumberSignal(field);
  }
  throw new JsonFieldError(field, `expected an unsigned 64-bit integer, got ${describe(value)}`);
}

/** An int64 attribute value as a number: exact below 2^53, like the protobuf path. */
export function readInt64(value: unknown, field: string): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && SIGNED_DECIMAL.test(value)) return Number(value);
  throw new JsonFieldError(field, `expected a 64-bit integer, got ${describe(value)}`);
}

/** A double: a number, or a string for NaN, ±Infinity or a decimal, as the protobuf JSON mapping allows. */
export function readDouble(value: unknown, field: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    if (value === "NaN") return Number.NaN;
    if (FLOAT.test(value)) return Number(value);
  }
  throw new JsonFieldError(field, `expected a number, got ${describe(value)}`);
}
