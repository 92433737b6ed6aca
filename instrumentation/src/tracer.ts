import { type Tracer, type TracerProvider, trace } from "@opentelemetry/api";

const TRACER_NAME = "@burnrate/instrumentation";

let cached: { provider: TracerProvider; tracer: Tracer } | undefined;

/**
 * The tracer Burnrate's spans come from, on the global tracer provider. It is looked up again
 * only when that provider is replaced (`trace.disable()` gives the API a new global). The
 * provider's own `getTracer` builds a key string and looks it up on every call: about 2 µs of
 * each LLM call's in-flight work in a probe against the mock LLM server, 0.5 µs cached. A
 * tracer taken before any provider was registered is the API's proxy, which finds the
 * provider once one is registered.
 */
export function burnrateTracer(): Tracer {
  const provider = trace.getTracerProvider();
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer(TRACER_NAME) };
  return cached.tracer;
}
