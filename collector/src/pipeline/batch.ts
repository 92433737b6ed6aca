import type { LlmCall, Span } from "@burnrate/core";
import type { Outcome } from "./outcome.js";

/** What flows through the pipeline: one export request's spans, for one project. */
export interface Batch {
  projectId: string;
  spans: Span[];
  /** The LLM calls found among `spans`, filled by the normalise processor. */
  calls: LlmCall[];
  /**
   * Spans a stage could not process. They are no longer in `spans`, so they are not stored,
   * and the client is told they were rejected (OTLP partial success).
   */
  rejected: readonly RejectedSpan[];
  /** This request's outcome, settled by the pipeline's `accept` or `rollback`. */
  outcome: Outcome;
  /**
   * The outcomes of other requests that are still spooling spans this batch dropped as
   * duplicates. The request is answered only once they are known (see `Outcome`).
   */
  awaiting: readonly Outcome[];
}

/** A span a stage could not process, why (for the client), and the error (for the log). */
export interface RejectedSpan {
  span: Span;
  reason: string;
  error: unknown;
}

/**
 * A span rejected because processing it threw: a defect in the collector, not in the span,
 * but one that should cost the client only this span rather than its whole request.
 * @example rejectForDefect(span, "price", new TypeError("x is not a function")).reason
 * // => "could not be processed by the collector (price: TypeError: x is not a function); it was not stored"
 */
export function rejectForDefect(span: Span, stage: string, error: unknown): RejectedSpan {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    span,
    reason: `could not be processed by the collector (${stage}: ${what}); it was not stored`,
    error,
  };
}

/** `spans` without the rejected ones; for the rare batch in which a stage rejected some. */
export function withoutRejected(spans: Span[], rejected: readonly RejectedSpan[]): Span[] {
  const out = new Set(rejected.map((r) => r.span));
  return spans.filter((span) => !out.has(span));
}
