import { ATTR_SERVICE_NAME } from "@burnrate/core";
import { type Attributes as OtelAttributes, SpanKind } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";

export type ExporterKind = "proto" | "json";

/** A real OTLP exporter (protobuf or JSON over HTTP) that records every export's result code. */
export function recordingExporter(kind: ExporterKind, collectorUrl: string) {
  const url = `${collectorUrl}/v1/traces`;
  const inner: SpanExporter = kind === "proto" ? new ProtoExporter({ url }) : new HttpJsonExporter({ url });
  const results: { code: ExportResultCode; spans: number; error?: string }[] = [];
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done) {
      inner.export(spans, (result) => {
        results.push({ code: result.code, spans: spans.length, error: result.error?.message });
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
  return { exporter, results, succeeded: () => results.every((r) => r.code === ExportResultCode.SUCCESS) };
}

/** A tracer provider exporting through `exporter` in small, quick batches. */
export function tracerProvider(exporter: SpanExporter, serviceName = "fault-test") {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 50, scheduledDelayMillis: 20 })],
  });
}

/** Records one finished LLM-call span with the given attributes. */
export function recordCall(
  provider: BasicTracerProvider,
  name: string,
  attributes: OtelAttributes,
  start?: Date,
): void {
  const span = provider
    .getTracer("burnrate-tests")
    .startSpan(name, { kind: SpanKind.CLIENT, attributes, startTime: start });
  span.end(start ? new Date(start.getTime() + 400) : undefined);
}
