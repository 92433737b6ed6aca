import { ATTR_SERVICE_NAME } from "@burnrate/core";
import { DiagConsoleLogger, DiagLogLevel, diag, ProxyTracerProvider, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { AttributionSpanProcessor } from "./attribution-processor.js";
import { serviceName } from "./service-name.js";

export interface TracingOptions {
  /** Where spans go; default OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318. */
  endpoint?: string;
  serviceName?: string;
  /** Longest a finished span waits before export; short, so the collector sees calls at once. */
  exportDelayMs?: number;
}

export interface Tracing {
  /** False when the app had already registered a tracer provider, which is used as it is. */
  owned: boolean;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

/**
 * Registers a tracer provider that exports OTLP/HTTP protobuf to the collector, unless the
 * app registered one already, in which case that one is reused. Safe to call twice.
 */
export function setupTracing(options: TracingOptions = {}): Tracing {
  if (current) return current;
  const global = trace.getTracerProvider();
  const delegate = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
  if (delegate.constructor.name !== "NoopTracerProvider") {
    current = { owned: false, flush: async () => {}, shutdown: async () => {} };
    return current;
  }
  const env = process.env;
  // OTEL_LOG_LEVEL (e.g. "warn", "debug") shows the SDK's own problems, such as failed exports.
  const level = env.OTEL_LOG_LEVEL?.toUpperCase() as keyof typeof DiagLogLevel | undefined;
  if (level && level in DiagLogLevel) diag.setLogger(new DiagConsoleLogger(), DiagLogLevel[level]);
  const url =
    options.endpoint !== undefined
      ? `${options.endpoint.replace(/\/$/, "")}/v1/traces`
      : env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT
        ? undefined // the exporter reads the standard variables itself
        : "http://127.0.0.1:4318/v1/traces";
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? serviceName() }),
    spanProcessors: [
      new AttributionSpanProcessor(),
      new BatchSpanProcessor(new OTLPTraceExporter(url ? { url } : {}), {
        scheduledDelayMillis: options.exportDelayMs ?? Number(env.BURNRATE_EXPORT_DELAY_MS ?? 200),
      }),
    ],
  });
  provider.register();
  // Spans still buffered when the event loop empties are sent before the process exits.
  process.once("beforeExit", () => void provider.forceFlush());
  current = { owned: true, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
  return current;
}
