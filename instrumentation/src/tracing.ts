import { ATTR_SERVICE_NAME } from "@burnrate/core";
import { DiagConsoleLogger, DiagLogLevel, diag, ProxyTracerProvider, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { z } from "zod";
import { AttributionSpanProcessor } from "./attribution-processor.js";
import { httpUrl, spanExportUrl } from "./collector-endpoint.js";
import { warnConfig } from "./config-warning.js";
import { useCollectorEndpoint } from "./runtime.js";
import { serviceName } from "./service-name.js";
import { settingProblems } from "./setting-problems.js";

/** Longest a finished span may wait before export, in ms: a whole number up to a minute. */
const exportDelaySchema = z.int().min(0).max(60_000);
/** Used when neither the options nor BURNRATE_EXPORT_DELAY_MS say: short, so the collector sees calls at once. */
const DEFAULT_EXPORT_DELAY_MS = 200;

const tracingOptionsSchema = z
  .object({
    /**
     * The collector: spans go there, and the kill switch listens there unless
     * BURNRATE_DECISIONS_URL says otherwise; default OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318.
     */
    endpoint: httpUrl.optional(),
    serviceName: z.string().min(1).optional(),
    /** Longest a finished span waits before export; default BURNRATE_EXPORT_DELAY_MS, else 200. */
    exportDelayMs: exportDelaySchema.optional(),
  })
  .strict();

export type TracingOptions = z.input<typeof tracingOptionsSchema>;

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
export function setupTracing(input: TracingOptions = {}): Tracing {
  const options = parseTracingOptions(input, "setupTracing");
  if (current) return current;
  // Decisions come from the collector the spans go to. With the app's own tracer provider the
  // endpoint sends no spans, but it still says where the collector is.
  if (options.endpoint !== undefined) useCollectorEndpoint(options.endpoint);
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
  const url = spanExportUrl(env, options.endpoint);
  warnBadExportTimeouts(env);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? serviceName() }),
    spanProcessors: [
      new AttributionSpanProcessor(),
      new BatchSpanProcessor(new OTLPTraceExporter({ url, headers: keyHeaders(env) }), {
        scheduledDelayMillis: options.exportDelayMs ?? exportDelayFromEnv(env),
      }),
    ],
  });
  provider.register();
  // Spans still buffered when the event loop empties are sent before the process exits. A
  // collector that cannot be reached then must not turn the app's exit into a crash (an
  // unhandled rejection ends a Node 20 process with code 1), nor lose the spans unseen: the
  // exporter retries for OTEL_EXPORTER_OTLP_TIMEOUT, then a process warning says so.
  // On every emptying, not once: a span that ends then (an abandoned stream's, whose estimate
  // loads the tokenizer) makes the loop run again, and is sent at the next emptying. With
  // nothing queued the flush schedules nothing, so the process then exits.
  process.on("beforeExit", () => {
    provider.forceFlush().catch((error: unknown) => {
      const reason = String((error as Error)?.message ?? error);
      const hint = /unauthori[sz]ed|forbidden/i.test(reason)
        ? "Does BURNRATE_API_KEY hold one of the collector's ingest keys?"
        : "Is the collector running?";
      process.emitWarning(
        `burnrate: the last spans could not be sent to ${url} before exit (${reason}); they are lost. ${hint}`,
        { code: "BURNRATE_EXPORT" },
      );
    });
  });
  current = { owned: true, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
  return current;
}

/**
 * BURNRATE_API_KEY as the ingest key on span exports, as on the decision stream, unless the
 * standard header variables already carry a key (`authorization` or `x-burnrate-api-key`).
 * @example keyHeaders({ BURNRATE_API_KEY: "k" }) // { "x-burnrate-api-key": "k" }
 */
export function keyHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const key = env.BURNRATE_API_KEY;
  const given = `${env.OTEL_EXPORTER_OTLP_HEADERS ?? ""},${env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? ""}`;
  if (!key || /(^|,)\s*(authorization|x-burnrate-api-key)\s*=/i.test(given)) return {};
  return { "x-burnrate-api-key": key };
}

/**
 * Checks options given in code; a bad one throws a TypeError naming it.
 * @example parseTracingOptions({ exportDelayMs: -1 }, "instrument") // throws "instrument: exportDelayMs: Too small: …"
 */
export function parseTracingOptions(input: unknown, who: string): z.output<typeof tracingOptionsSchema> {
  const parsed = tracingOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new TypeError(`${who}: ${settingProblems(parsed.error, "tracing option").join("; ")}`);
}

/**
 * The OTLP exporter reads its timeout variables itself and passes over one that is no
 * positive number, saying so only to a diagnostics logger: here the app hears of it.
 * @example warnBadExportTimeouts({ OTEL_EXPORTER_OTLP_TIMEOUT: "10s" }) // warns that it is ignored
 */
export function warnBadExportTimeouts(env: NodeJS.ProcessEnv): void {
  for (const name of ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"]) {
    const text = env[name]?.trim();
    if (!text) continue;
    const ms = Number(text);
    if (Number.isFinite(ms) && ms > 0) continue;
    warnConfig(
      `${name}=${JSON.stringify(env[name])} is ignored: not a number of milliseconds above 0 (the default is 10000)`,
    );
  }
}

/** BURNRATE_EXPORT_DELAY_MS, or the default when it is unset or not a whole number of ms up to a minute (with a warning). */
function exportDelayFromEnv(env: NodeJS.ProcessEnv): number {
  const text = env.BURNRATE_EXPORT_DELAY_MS;
  if (text === undefined || text === "") return DEFAULT_EXPORT_DELAY_MS;
  const parsed = exportDelaySchema.safeParse(Number(text));
  if (parsed.success) return parsed.data;
  warnConfig(
    `BURNRATE_EXPORT_DELAY_MS=${JSON.stringify(text)} is ignored: not a whole number of milliseconds from 0 to 60000; using ${DEFAULT_EXPORT_DELAY_MS}`,
  );
  return DEFAULT_EXPORT_DELAY_MS;
}
