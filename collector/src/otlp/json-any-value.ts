import type { Attributes, AttributeValue } from "@burnrate/core";
import { setAttribute } from "./any-value.js";
import { JsonFieldError, nestError } from "./decode-error.js";
import { describe, isObject, readArray, readDouble, readInt64, readString } from "./json-read.js";

/** The same bound protobufjs puts on message nesting, so neither format can exhaust the stack. */
const MAX_DEPTH = 100;

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Converts an OTLP/JSON `attributes` array (`[{ "key": …, "value": { "stringValue": … } }]`) to an
 * attributes object, with the same value mapping as the protobuf path. A repeated key keeps its last value.
 */
export function jsonAttributes(items: readonly unknown[], depth = 0): Attributes {
  const attributes: Attributes = {};
  for (let i = 0; i < items.length; i++) {
    try {
      const item = items[i];
      if (!isObject(item)) throw new JsonFieldError("", `expected a KeyValue object, got ${describe(item)}`);
      setAttribute(attributes, readString(item.key, "key"), jsonAnyValue(item.value, depth));
    } catch (error) {
      throw nestError(error, `[${i}]`);
    }
  }
  return attributes;
}

/**
 * One AnyValue: `{ "intValue": "42" }` and so on. An empty object, or one with only unknown fields,
 * is the empty AnyValue and becomes null. Bytes are base64, as protobuf JSON encodes them.
 */
export function jsonAnyValue(value: unknown, depth: number): AttributeValue {
  try {
    return anyValue(value, depth);
  } catch (error) {
    throw nestError(error, "value");
  }
}

function anyValue(value: unknown, depth: number): AttributeValue {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new JsonFieldError("", `expected an AnyValue object, got ${describe(value)}`);
  if (depth >= MAX_DEPTH) throw new JsonFieldError("", `AnyValue nested more than ${MAX_DEPTH} levels deep`);
  if (value.stringValue != null) return readString(value.stringValue, "stringValue");
  if (value.intValue != null) return readInt64(value.intValue, "intValue");
  if (value.doubleValue != null) return readDouble(value.doubleValue, "doubleValue");
  if (value.boolValue != null) {
    if (typeof value.boolValue !== "boolean") {
      throw new JsonFieldError("boolValue", `expected true or false, got ${describe(value.boolValue)}`);
    }
    return value.boolValue;
  }
  if (value.arrayValue != null) return arrayValue(value.arrayValue, depth);
  if (value.kvlistValue != null) return kvlistValue(value.kvlistValue, depth);
  if (value.bytesValue != null) return bytesValue(value.bytesValue);
  return null;
}

function arrayValue(value: unknown, depth: number): AttributeValue[] {
  if (!isObject(value)) throw new JsonFieldError("arrayValue", `expected an object, got ${describe(value)}`);
  const items = readArray(value.values, "arrayValue.values");
  const array: AttributeValue[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    try {
      array[i] = anyValue(items[i], depth + 1);
    } catch (error) {
      throw nestError(error, `arrayValue.values[${i}]`);
    }
  }
  return array;
}

function kvlistValue(value: unknown, depth: number): Attributes {
  if (!isObject(value)) throw new JsonFieldError("kvlistValue", `expected an object, got ${describe(value)}`);
  const items = readArray(value.values, "kvlistValue.values");
  try {
    return jsonAttributes(items, depth + 1);
  } catch (error) {
    throw nestError(error, "kvlistValue.values");
  }
}

function bytesValue(value: unknown): Uint8Array {
  if (typeof value !== "string" || !BASE64.test(value)) {
    throw new JsonFieldError("bytesValue", `expected base64 text, got ${describe(value)}`);
  }
  return new Uint8Array(Buffer.from(value, "base64"));
}
