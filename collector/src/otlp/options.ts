import type { Span } from "@burnrate/core";

export interface DecodeOptions {
  /** Spans with more attributes than this are rejected (default 1024). */
  maxAttributesPerSpan: number;
}

export const DEFAULT_DECODE_OPTIONS: DecodeOptions = { maxAttributesPerSpan: 1024 };

/** What a request decoded to: the valid spans, and what was rejected and why. */
export interface DecodedTraces {
  spans: Span[];
  /** Spans dropped by per-span validation; the rest of the request is still accepted. */
  rejectedSpans: number;
  /** At most `MAX_REJECTION_MESSAGES` messages, each naming a span (trace/span id) and the reason. */
  rejectionMessages: string[];
}
