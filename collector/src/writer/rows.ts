import type { Attributes, AttributeValue, Span } from "@burnrate/core";
import { nanosToDateTime64, type SerialisedCall, toLlmCallRow } from "@burnrate/storage";
import type { Batch } from "../pipeline/batch.js";

const KIND_NAMES = ["Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"];
const STATUS_NAMES = ["Unset", "Ok", "Error"];

/**
 * A batch as the spool stores it and the writer inserts it: two JSONEachRow payloads, for
 * `spans` and `llm_calls`, behind a 4-byte length of the first. Serialising once, here,
 * means replaying a spooled batch costs no further conversion.
 */
export function encodeRecord(batch: Batch, version: bigint): Buffer {
  let spans = "";
  for (const span of batch.spans) spans += `${JSON.stringify(spanRow(batch.projectId, span))}\n`;
  // Each call line carries its key ahead of the JSON, so the writer can check for calls
  // already stored without parsing the JSON back.
  let calls = "";
  for (const call of batch.calls) {
    calls += `${call.projectId}\t${call.traceId}\t${call.spanId}\t${JSON.stringify(toLlmCallRow(call, version))}\n`;
  }
  const spansBytes = Buffer.from(spans);
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32LE(spansBytes.length, 0);
  return Buffer.concat([header, spansBytes, Buffer.from(calls)]);
}

export interface DecodedRecord {
  /** The `spans` rows, as a JSONEachRow payload. */
  spans: Buffer;
  calls: SerialisedCall[];
}

export function decodeRecord(record: Buffer): DecodedRecord {
  const spansLength = record.readUInt32LE(0);
  const calls: SerialisedCall[] = [];
  for (const line of record
    .subarray(4 + spansLength)
    .toString("utf8")
    .split("\n")) {
    if (!line) continue;
    const a = line.indexOf("\t");
    const b = line.indexOf("\t", a + 1);
    const c = line.indexOf("\t", b + 1);
    calls.push({
      project_id: line.slice(0, a),
      trace_id: line.slice(a + 1, b),
      span_id: line.slice(b + 1, c),
      json: line.slice(c + 1),
    });
  }
  return { spans: record.subarray(4, 4 + spansLength), calls };
}

/** A span as a row of the otel_traces-shaped `spans` table. */
function spanRow(projectId: string, span: Span) {
  return {
    ProjectId: projectId,
    Timestamp: nanosToDateTime64(span.startTimeUnixNano),
    TraceId: span.traceId,
    SpanId: span.spanId,
    ParentSpanId: span.parentSpanId,
    TraceState: span.traceState,
    SpanName: span.name,
    SpanKind: KIND_NAMES[span.kind] ?? "Unspecified",
    ServiceName: stringValue(span.resource["service.name"] ?? ""),
    ResourceAttributes: stringMap(span.resource),
    ScopeName: span.scope.name,
    ScopeVersion: span.scope.version,
    SpanAttributes: stringMap(span.attributes),
    Duration: (span.endTimeUnixNano > span.startTimeUnixNano
      ? span.endTimeUnixNano - span.startTimeUnixNano
      : 0n
    ).toString(),
    StatusCode: STATUS_NAMES[span.status.code] ?? "Unset",
    StatusMessage: span.status.message,
    "Events.Timestamp": span.events.map((e) => nanosToDateTime64(e.timeUnixNano)),
    "Events.Name": span.events.map((e) => e.name),
    "Events.Attributes": span.events.map((e) => stringMap(e.attributes)),
    "Links.TraceId": span.links.map((l) => l.traceId),
    "Links.SpanId": span.links.map((l) => l.spanId),
    "Links.TraceState": span.links.map((l) => l.traceState),
    "Links.Attributes": span.links.map((l) => stringMap(l.attributes)),
  };
}

/** Map(String, String) columns hold every value as text; structured values as JSON. */
function stringMap(attributes: Attributes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in attributes) out[key] = stringValue(attributes[key]!);
  return out;
}

function stringValue(value: AttributeValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "";
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v));
}
