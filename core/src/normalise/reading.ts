/**
 * What a convention reader extracts from a span: the parts whose attribute names and meanings
 * differ between conventions. Everything convention-neutral (ids, times, Burnrate's own
 * attributes, status, cost) is read once, by `normaliseSpan`.
 */
import type { TokenUsage } from "../llm-call.js";

/** Who and what a call is attributed to; `""` where unknown. */
export interface Attribution {
  feature: string;
  user: string;
  tenant: string;
  sessionId: string;
  agent: string;
}

/** One convention's reading of an LLM-call span. */
export interface ConventionReading {
  /** A well-known `gen_ai.provider.name` value (see `normaliseProvider`), or `""`. */
  provider: string;
  /** A `gen_ai.operation.name` value such as `chat`, `text_completion` or `embeddings`. */
  operation: string;
  requestModel: string;
  responseModel: string;
  tokens: TokenUsage;
  /** The convention's own attribution; Burnrate's and the GenAI attributes take precedence. */
  attribution: Partial<Attribution>;
  /** A service tier reported the convention's own way; used when no tier attribute is set. */
  serviceTier?: string;
}
