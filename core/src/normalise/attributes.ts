/**
 * Tolerant attribute readers. Spans come from many SDKs in many languages, so a token count may
 * arrive as `1200`, `"1200"`, `1200.0` or garbage; these readers turn each into something the
 * normaliser can use without ever throwing.
 */
import type { Attributes, AttributeValue } from "../span.js";

/**
 * A string attribute, or `""` when it is absent or not a scalar. Numbers and booleans are
 * stringified, because some exporters send ids as numbers.
 * @example readString({ [ATTR_GEN_AI_REQUEST_MODEL]: " gpt-4o" }, ATTR_GEN_AI_REQUEST_MODEL) === "gpt-4o"
 */
export function readString(attributes: Attributes, key: string): string {
  const value = attributes[key];
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  return "";
}

/** The first non-empty string among `keys`, in order, or `""`. */
export function firstString(attributes: Attributes, keys: readonly string[]): string {
  for (const key of keys) {
    const value = readString(attributes, key);
    if (value !== "") return value;
  }
  return "";
}

/**
 * A token count: `undefined` when the attribute is absent, so callers can fall back to an older
 * name; otherwise a whole, non-negative number. Numeric strings are parsed, floats truncated,
 * negatives clamped to 0, counts past `MAX_TOKEN_COUNT` held there, and anything non-numeric
 * counts as 0 (present, but unusable).
 * @example readCount({ n: "1200.9" }, "n") === 1200
 */
export function readCount(attributes: Attributes, key: string): number | undefined {
  const value = attributes[key];
  if (value === undefined || value === null) return undefined;
  return toCount(value);
}

/** The first present count among `keys`, in order; `undefined` when none is present. */
export function firstCount(attributes: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = readCount(attributes, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * The largest token count Burnrate keeps: the `llm_calls` token columns are UInt32. A larger
 * count is held at this value rather than rejected, so the call is kept (nothing accepted is
 * lost), and it is held before pricing, so the stored count and the cost priced from it agree
 * (a reprice of the row gives the same cost). No real call comes near four billion tokens;
 * a count past it is a broken exporter, and the call's other data is still worth keeping.
 */
export const MAX_TOKEN_COUNT = 4_294_967_295;

/**
 * Coerces any attribute value (or JSON field) to a whole, non-negative count, at most
 * `MAX_TOKEN_COUNT`; junk becomes 0.
 */
export function toCount(value: unknown): number {
  const parsed = typeof value === "string" ? parseNumber(value) : value;
  if (typeof parsed !== "number" || !Number.isFinite(parsed)) return 0;
  return Math.min(MAX_TOKEN_COUNT, Math.max(0, Math.trunc(parsed)));
}

/** Parses a decimal or exponent number string strictly; `Number("")` would otherwise give 0. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

/** A flag: `true`, `"true"` (any case), `1` or `"1"` are true; anything else is false. */
export function readBoolean(attributes: Attributes, key: string): boolean {
  const value = attributes[key];
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value === 1;
  if (typeof value === "string") return ["true", "1"].includes(value.trim().toLowerCase());
  return false;
}

/**
 * A list of strings, from an array attribute or from a string holding a JSON array (some
 * exporters cannot send arrays). Non-string items are dropped.
 * @example readStringArray({ f: '["a","b"]' }, "f") // ["a", "b"]
 */
export function readStringArray(attributes: Attributes, key: string): string[] {
  const value = attributes[key];
  const list = typeof value === "string" ? parseJson(value) : value;
  if (!Array.isArray(list)) return [];
  return list.filter((item): item is string => typeof item === "string");
}

/**
 * An object attribute, from a JSON string or from an OTLP key-value list; `undefined` when the
 * value is missing, malformed or not an object.
 */
export function readObject(attributes: Attributes, key: string): Record<string, unknown> | undefined {
  const value: AttributeValue | unknown = attributes[key];
  const parsed = typeof value === "string" ? parseJson(value) : value;
  return asObject(parsed);
}

/** `value` when it is a plain object (not an array, not bytes), else `undefined`. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value) || value instanceof Uint8Array) return undefined;
  return value as Record<string, unknown>;
}

/** Whether any attribute name starts with `prefix`. */
export function hasPrefix(attributes: Attributes, prefix: string): boolean {
  return Object.keys(attributes).some((key) => key.startsWith(prefix));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
