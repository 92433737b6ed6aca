import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { attributionAttributes, attributionOf } from "./attribution.js";

/** Copies the attribution in force when a span starts onto the span, for every span. */
export class AttributionSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const attributes = attributionAttributes(attributionOf(parentContext));
    // Attributes the span set itself (e.g. gen_ai.agent.name on an agent span) win.
    for (const [key, value] of Object.entries(attributes)) {
      if (span.attributes[key] === undefined) span.setAttribute(key, value);
    }
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
