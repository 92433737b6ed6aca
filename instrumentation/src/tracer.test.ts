import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterEach, describe, expect, it } from "vitest";
import { burnrateTracer } from "./tracer.js";

function register(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
  return exporter;
}

const spanNames = (exporter: InMemorySpanExporter) => exporter.getFinishedSpans().map((s) => s.name);

describe("burnrateTracer", () => {
  afterEach(() => trace.disable());

  it("reaches a provider registered after it was first taken", () => {
    trace.disable();
    const early = burnrateTracer();
    early.startSpan("before any provider").end();
    const exporter = register();
    expect(burnrateTracer()).toBe(early);
    burnrateTracer().startSpan("after").end();
    expect(spanNames(exporter)).toEqual(["after"]);
    expect(exporter.getFinishedSpans()[0]!.instrumentationScope.name).toBe("@burnrate/instrumentation");
  });

  it("follows the global provider when it is replaced", () => {
    const first = register();
    burnrateTracer().startSpan("one").end();
    trace.disable();
    const second = register();
    burnrateTracer().startSpan("two").end();
    expect({ first: spanNames(first), second: spanNames(second) }).toEqual({
      first: ["one"],
      second: ["two"],
    });
  });
});
