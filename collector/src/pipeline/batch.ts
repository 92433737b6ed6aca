import type { LlmCall, Span } from "@burnrate/core";

/** What flows through the pipeline: one export request's spans, for one project. */
export interface Batch {
  projectId: string;
  spans: Span[];
  /** The LLM calls found among `spans`, filled by the normalise processor. */
  calls: LlmCall[];
}
