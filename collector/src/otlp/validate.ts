import type { DecodeOptions } from "./options.js";

/** Enough messages to show what is wrong without letting one bad batch make a huge response. */
export const MAX_REJECTION_MESSAGES = 5;

const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);

/**
 * Why a span must be rejected, or undefined when it is valid. Ids are lowercase hex, so their byte
 * count is half their length; the OTLP spec calls ids of the wrong length or all zeroes invalid.
 * Decoders pass the attribute count before converting them all, so an oversized span costs little.
 *
 * @example
 * spanProblem("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "", 100_000, { maxAttributesPerSpan: 1024 });
 * // => "has 100000 attributes, more than the 1024 allowed"
 */
export function spanProblem(
  traceId: string,
  spanId: string,
  parentSpanId: string,
  attributeCount: number,
  options: DecodeOptions,
): string | undefined {
  if (traceId.length !== 32) return `has a traceId of ${traceId.length / 2} bytes; expected 16`;
  if (traceId === ZERO_TRACE_ID) return "has an all-zero traceId";
  if (spanId.length !== 16) return `has a spanId of ${spanId.length / 2} bytes; expected 8`;
  if (spanId === ZERO_SPAN_ID) return "has an all-zero spanId";
  if (parentSpanId.length !== 0 && parentSpanId.length !== 16) {
    return `has a parentSpanId of ${parentSpanId.length / 2} bytes; expected 8, or none for a root span`;
  }
  if (attributeCount > options.maxAttributesPerSpan) {
    return `has ${attributeCount} attributes, more than the ${options.maxAttributesPerSpan} allowed`;
  }
  return undefined;
}

/** Some SDKs send eight zero bytes instead of no parent; both mean a root span. */
export function rootIfZero(parentSpanId: string): string {
  return parentSpanId === ZERO_SPAN_ID ? "" : parentSpanId;
}

/** Counts rejected spans and keeps the first few reasons for the partial-success message. */
export class Rejections {
  count = 0;
  readonly messages: string[] = [];

  add(traceId: string, spanId: string, reason: string): void {
    this.count++;
    if (this.messages.length < MAX_REJECTION_MESSAGES) {
      this.messages.push(`span ${shown(traceId, "(no traceId)")}/${shown(spanId, "(no spanId)")} ${reason}`);
    }
  }
}

/** Ids as sent, but cut short: the messages go back to the sender and into logs. */
function shown(id: string, ifEmpty: string): string {
  if (id === "") return ifEmpty;
  return id.length > 40 ? `${id.slice(0, 40)}…` : id;
}
