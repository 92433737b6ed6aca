import { ATTR_BURNRATE_AGENT_INVOCATION_ID } from "@burnrate/core";
import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { agentInvocationOf, attributionAttributes, attributionOf } from "./attribution.js";

/**
 * Copies the attribution in force when a span starts onto the span, for every span, with the
 * agent invocation it was made in.
 */
export class AttributionSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const attributes = attributionAttributes(attributionOf(parentContext));
    const invocation = agentInvocationOf(parentContext);
    if (invocation) attributes[ATTR_BURNRATE_AGENT_INVOCATION_ID] = invocation;
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
