import { ATTR_SERVICE_NAME, type AttributeValue } from "@burnrate/core";

/** A span for a hand-built OTLP/JSON request: hex ids, integer enums, times as strings. */
export interface JsonSpanSpec {
  traceId: string;
  spanId: string;
  name?: string;
  startNs?: bigint;
  /** 250 ms after the start unless given. */
  endNs?: bigint;
  attributes?: Record<string, AttributeValue>;
}

function anyValue(value: AttributeValue): unknown {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number")
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { stringValue: String(value) };
}

export function keyValues(attributes: Record<string, AttributeValue>) {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** An ExportTraceServiceRequest in OTLP/JSON with one resource (service `serviceName`). */
export function otlpJson(spans: JsonSpanSpec[], serviceName = "json-test"): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: keyValues({ [ATTR_SERVICE_NAME]: serviceName }) },
        scopeSpans: [
          {
            scope: { name: "test", version: "1" },
            spans: spans.map((s) => {
              const start = s.startNs ?? BigInt(Date.now()) * 1_000_000n;
              return {
                traceId: s.traceId,
                spanId: s.spanId,
                name: s.name ?? "chat gpt-4o",
                kind: 3,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(s.endNs ?? start + 250_000_000n),
                attributes: keyValues(s.attributes ?? {}),
                status: {},
              };
            }),
          },
        ],
      },
    ],
  });
}

/** A random id of `bytes` bytes as lowercase hex. */
export function hexId(bytes: number): string {
  let out = "";
  for (let i = 0; i < bytes; i++)
    out += Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0");
  return out;
}
