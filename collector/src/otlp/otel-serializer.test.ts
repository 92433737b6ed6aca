import type { Span } from "@burnrate/core";
import { ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { decodeJsonTraces } from "./decode-json.js";
import { decodeProtobufTraces } from "./decode-protobuf.js";

const options = { maxAttributesPerSpan: 1024 };

/** Spans recorded by the real OpenTelemetry JS SDK: an agent run and the LLM call inside it. */
function recordSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "research-agent", "service.version": "1.4.0" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("@burnrate/instrumentation", "0.1.0");
  const run = tracer.startSpan("agent run", { startTime: [1700000000, 0] });
  const chat = tracer.startSpan(
    "chat gpt-4o-mini",
    {
      kind: SpanKind.CLIENT, // 2 in the API; OTLP numbers it 3
      startTime: [1700000000, 123456789],
      attributes: {
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 1200,
        "gen_ai.request.temperature": 0.25,
        "burnrate.streamed": true,
        "gen_ai.response.finish_reasons": ["stop"],
      },
      links: [{ context: run.spanContext(), attributes: { "burnrate.link.reason": "retry-of" } }],
    },
    trace.setSpan(ROOT_CONTEXT, run),
  );
  chat.addEvent("retry", { attempt: 2 }, [1700000000, 500000000]);
  chat.setStatus({ code: 2, message: "rate limited" });
  chat.end([1700000000, 987654321]);
  run.end([1700000001, 0]);
  return exporter.getFinishedSpans();
}

function expectedSpans(recorded: ReadableSpan[]): Span[] {
  const [chat, run] = recorded as [ReadableSpan, ReadableSpan];
  const resource = { "service.name": "research-agent", "service.version": "1.4.0" };
  const scope = { name: "@burnrate/instrumentation", version: "0.1.0" };
  const traceId = run.spanContext().traceId;
  return [
    {
      traceId,
      spanId: chat.spanContext().spanId,
      parentSpanId: run.spanContext().spanId,
      traceState: "",
      name: "chat gpt-4o-mini",
      kind: 3,
      startTimeUnixNano: 1700000000123456789n,
      endTimeUnixNano: 1700000000987654321n,
      attributes: {
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 1200,
        "gen_ai.request.temperature": 0.25,
        "burnrate.streamed": true,
        "gen_ai.response.finish_reasons": ["stop"],
      },
      resource,
      scope,
      status: { code: 2, message: "rate limited" },
      events: [{ timeUnixNano: 1700000000500000000n, name: "retry", attributes: { attempt: 2 } }],
      links: [
        {
          traceId,
          spanId: run.spanContext().spanId,
          traceState: "",
          attributes: { "burnrate.link.reason": "retry-of" },
        },
      ],
    },
    {
      traceId,
      spanId: run.spanContext().spanId,
      parentSpanId: "",
      traceState: "",
      name: "agent run",
      kind: 1,
      startTimeUnixNano: 1700000000000000000n,
      endTimeUnixNano: 1700000001000000000n,
      attributes: {},
      resource,
      scope,
      status: { code: 0, message: "" },
      events: [],
      links: [],
    },
  ];
}

describe("requests encoded by the OpenTelemetry JS serializers", () => {
  it("decodes the protobuf that @opentelemetry/exporter-trace-otlp-proto sends", () => {
    const recorded = recordSpans();
    const body = ProtobufTraceSerializer.serializeRequest(recorded)!;
    expect(decodeProtobufTraces(body, options)).toEqual({
      spans: expectedSpans(recorded),
      rejectedSpans: 0,
      rejectionMessages: [],
    });
  });

  it("decodes the JSON that @opentelemetry/exporter-trace-otlp-http sends", () => {
    const recorded = recordSpans();
    const body = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(recorded)!);
    expect(decodeJsonTraces(body, options)).toEqual({
      spans: expectedSpans(recorded),
      rejectedSpans: 0,
      rejectionMessages: [],
    });
  });
});
