import { otlpTypes } from "../proto-root.js";

/**
 * Test helper: encodes an OTLP/JSON-shaped request as protobuf with protobufjs and the vendored
 * schema, so one fixture serves both formats. Hex ids become bytes (protobufjs's `fromObject` would
 * read strings as base64); everything else — decimal int64 strings, base64 `bytesValue`, integer
 * enums — `fromObject` already reads the way OTLP/JSON writes it, and it drops unknown fields.
 */
export function encodeAsProtobuf(request: unknown): Uint8Array {
  const { ExportTraceServiceRequest } = otlpTypes;
  return ExportTraceServiceRequest.encode(
    ExportTraceServiceRequest.fromObject(idsToBytes(request) as object),
  ).finish();
}

const ID_FIELDS = new Set(["traceId", "spanId", "parentSpanId"]);

function idsToBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(idsToBytes);
  if (typeof value !== "object" || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    result[key] =
      ID_FIELDS.has(key) && typeof field === "string" ? Buffer.from(field, "hex") : idsToBytes(field);
  }
  return result;
}
