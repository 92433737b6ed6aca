/** Where a call's cost came from. An `unpriced` call has no cost and is never shown as $0. */
export type CostSource = "provider" | "computed" | "unpriced";

/**
 * Token usage of one call. `input` is the whole prompt, cached parts included, as in the
 * OpenTelemetry GenAI conventions; `cacheRead` and `cacheWrite` are the parts of `input`
 * served from or written to the prompt cache. `reasoning` is the part of `output` spent
 * thinking. Keeping one meaning here means no cache token is ever priced twice.
 */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /**
   * Of `cacheWrite`, the tokens written to a one-hour cache (Anthropic's `ttl: "1h"`), which
   * are billed at their own, higher rate; the rest of `cacheWrite` is at the five-minute
   * rate. Absent when the provider has a single cache-write price.
   */
  cacheWrite1h?: number;
  reasoning: number;
  /**
   * Of `input`, the tokens that were audio (OpenAI's `prompt_tokens_details.audio_tokens`),
   * which audio models bill at their own, higher rate. Absent when there were none.
   */
  audioInput?: number;
  /** Of `output`, the tokens that were audio, billed like `audioInput`. Absent when none. */
  audioOutput?: number;
  /**
   * Server-side web searches the provider ran for the call (Anthropic's
   * `server_tool_use.web_search_requests`), billed per search on top of the tokens. Absent when none.
   */
  webSearches?: number;
}

/** Cost parts in US dollars, as exact decimal strings (never floats summed). */
export interface CallCost {
  input: string;
  output: string;
  cacheRead: string;
  cacheWrite: string;
  total: string;
  source: CostSource;
  /** Which price book priced it, e.g. `genai-prices@0.0.40`, or `provider`. Empty when unpriced. */
  priceVersion: string;
}

/** One LLM call, normalised from whichever convention its span used. */
export interface LlmCall {
  projectId: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  /** Start time in Unix nanoseconds. */
  startTimeUnixNano: bigint;
  durationNs: bigint;
  sessionId: string;
  service: string;
  agent: string;
  feature: string;
  user: string;
  tenant: string;
  provider: string;
  operation: string;
  requestModel: string;
  responseModel: string;
  serviceTier: string;
  tokens: TokenUsage;
  cost: CallCost;
  /** True when usage came from a tokenizer estimate rather than the provider. */
  estimated: boolean;
  promptFingerprint: string;
  toolCallFingerprints: string[];
  status: "ok" | "error";
  errorType: string;
}

/** The cost of a call that no price book knows: zero parts, but marked so it is never read as $0. */
export const UNPRICED: CallCost = Object.freeze({
  input: "0",
  output: "0",
  cacheRead: "0",
  cacheWrite: "0",
  total: "0",
  source: "unpriced",
  priceVersion: "",
});
