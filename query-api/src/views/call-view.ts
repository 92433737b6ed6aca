import type { CallRow } from "../queries/trace-calls.js";
import type { SpanCall } from "../schemas/trace.js";

/** The model a call is reported under: the response model when the provider named one. */
export function callModel(row: Pick<CallRow, "request_model" | "response_model">): string {
  return row.response_model !== "" ? row.response_model : row.request_model;
}

/** A stored call as the API shows it; an unpriced call's cost parts are null, not zero. */
export function toSpanCall(row: CallRow): SpanCall {
  const priced = row.cost_source !== "unpriced";
  const money = (value: string) => (priced ? value : null);
  return {
    provider: row.provider,
    operation: row.operation,
    model: callModel(row),
    requestModel: row.request_model,
    responseModel: row.response_model,
    serviceTier: row.service_tier,
    feature: row.feature,
    user: row.user_id,
    tenant: row.tenant,
    agent: row.agent,
    sessionId: row.session_id,
    tokens: {
      input: row.input_tokens,
      output: row.output_tokens,
      cacheRead: row.cache_read_tokens,
      cacheWrite: row.cache_write_tokens,
      ...(row.cache_write_1h_tokens > 0 ? { cacheWrite1h: row.cache_write_1h_tokens } : {}),
      reasoning: row.reasoning_tokens,
      ...(row.audio_input_tokens > 0 ? { audioInput: row.audio_input_tokens } : {}),
      ...(row.audio_output_tokens > 0 ? { audioOutput: row.audio_output_tokens } : {}),
      ...(row.web_searches > 0 ? { webSearches: row.web_searches } : {}),
    },
    cost: {
      source: row.cost_source,
      priceVersion: row.price_version,
      totalUsd: money(row.cost_total),
      inputUsd: money(row.cost_input),
      outputUsd: money(row.cost_output),
      cacheReadUsd: money(row.cost_cache_read),
      cacheWriteUsd: money(row.cost_cache_write),
    },
    estimated: row.estimated,
    status: row.status,
    errorType: row.error_type,
  };
}
