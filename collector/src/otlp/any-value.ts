import type { Attributes, AttributeValue } from "@burnrate/core";
import { readKey } from "./attribute-keys.js";
import { enterMessage, I64, LEN, MAX_DEPTH, type Reader, readInt64, skipField, tag, VARINT } from "./wire.js";

// Field tags from opentelemetry/proto/common/v1/common.proto.
const KEY_VALUE_KEY = tag(1, LEN);
const KEY_VALUE_VALUE = tag(2, LEN);
const STRING_VALUE = tag(1, LEN);
const BOOL_VALUE = tag(2, VARINT);
const INT_VALUE = tag(3, VARINT);
const DOUBLE_VALUE = tag(4, I64);
const ARRAY_VALUE = tag(5, LEN);
const KVLIST_VALUE = tag(6, LEN);
const BYTES_VALUE = tag(7, LEN);
const VALUES = tag(1, LEN);

/** Sets an attribute; "__proto__" is defined as a plain key rather than replacing the prototype. */
export function setAttribute(target: Attributes, key: string, value: AttributeValue): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Reads one `KeyValue` message into `target`. A repeated key keeps its last value. */
export function readKeyValue(reader: Reader, target: Attributes, depth: number): void {
  const outer = enterMessage(reader);
  let key = "";
  let value: AttributeValue = null;
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    if (fieldTag === KEY_VALUE_KEY) key = readKey(reader);
    else if (fieldTag === KEY_VALUE_VALUE) value = readAnyValue(reader, depth);
    else skipField(reader, fieldTag);
  }
  reader.len = outer;
  setAttribute(target, key, value);
}

/**
 * Reads one `AnyValue` message as an attribute value: string, bool, double as they are; int64 as a
 * number (exact below 2^53); bytes copied into their own Uint8Array, so spans do not pin the request
 * body; arrays and kvlists as arrays and objects; an empty AnyValue as null. As protobuf says of a
 * oneof, the last member on the wire wins.
 */
export function readAnyValue(reader: Reader, depth: number): AttributeValue {
  if (depth > MAX_DEPTH) throw new Error("max depth exceeded");
  const outer = enterMessage(reader);
  let value: AttributeValue = null;
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    switch (fieldTag) {
      case STRING_VALUE:
        value = reader.string();
        break;
      case INT_VALUE:
        value = readInt64(reader);
        break;
      case DOUBLE_VALUE:
        value = reader.double();
        break;
      case BOOL_VALUE:
        value = reader.bool();
        break;
      case ARRAY_VALUE:
        value = readArrayValue(reader, depth + 1);
        break;
      case KVLIST_VALUE:
        value = readKeyValueList(reader, depth + 1);
        break;
      case BYTES_VALUE:
        value = new Uint8Array(reader.bytes());
        break;
      default:
        skipField(reader, fieldTag);
    }
  }
  reader.len = outer;
  return value;
}

function readArrayValue(reader: Reader, depth: number): AttributeValue[] {
  const outer = enterMessage(reader);
  const values: AttributeValue[] = [];
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    if (fieldTag === VALUES) values.push(readAnyValue(reader, depth));
    else skipField(reader, fieldTag);
  }
  reader.len = outer;
  return values;
}

function readKeyValueList(reader: Reader, depth: number): Attributes {
  const outer = enterMessage(reader);
  const attributes: Attributes = {};
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    if (fieldTag === VALUES) readKeyValue(reader, attributes, depth);
    else skipField(reader, fieldTag);
  }
  reader.len = outer;
  return attributes;
}
