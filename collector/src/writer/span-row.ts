import { ATTR_SERVICE_NAME, type Attributes, type AttributeValue, type Span } from "@burnrate/core";
import { nanosToDateTime64 } from "@burnrate/storage";

const KIND_NAMES = ["Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"];
const STATUS_NAMES = ["Unset", "Ok", "Error"];

/**
 * A span's row of the otel_traces-shaped `spans` table, less the columns its resource and
 * scope fill (see `sharedColumns`), as JSON without its closing brace. The row is whole once
 * those columns' text follows it.
 */
export function spanHead(projectId: string, span: Span): string {
  const row = {
    ProjectId: projectId,
    Timestamp: nanosToDateTime64(span.startTimeUnixNano),
    TraceId: span.traceId,
    SpanId: span.spanId,
    ParentSpanId: span.parentSpanId,
    TraceState: span.traceState,
    SpanName: span.name,
    SpanKind: KIND_NAMES[span.kind] ?? "Unspecified",
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
  return JSON.stringify(row).slice(0, -1);
}

/**
 * The columns every span of one resource and scope shares, as the JSON text that closes a
 * `spanHead`: `,"ScopeName":…,"ResourceAttributes":{…}}`. Written once per resource rather
 * than once per span, a large resource costs its size once, not once for each of its spans.
 */
export function sharedColumns(resource: Attributes, scope: Span["scope"]): string {
  const columns = {
    ScopeName: scope.name,
    ScopeVersion: scope.version,
    ServiceName: stringValue(resource[ATTR_SERVICE_NAME] ?? ""),
    ResourceAttributes: stringMap(resource),
  };
  return `,${JSON.stringify(columns).slice(1)}`;
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
