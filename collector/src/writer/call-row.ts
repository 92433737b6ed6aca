import type { LlmCall } from "@burnrate/core";
import { type LlmCallRow, toLlmCallRow } from "@burnrate/storage";
import { uint32, usd } from "./column-values.js";

/**
 * A call's `llm_calls` row, with its counts and costs within their column types, so that one
 * absurd value (a count of 1e300, a provider cost of 1e60) cannot make ClickHouse refuse the
 * insert it shares with other calls.
 */
export function callRow(call: LlmCall, version: bigint): LlmCallRow {
  const row = toLlmCallRow(call, version);
  row.input_tokens = uint32(row.input_tokens);
  row.audio_input_tokens = uint32(row.audio_input_tokens);
  row.output_tokens = uint32(row.output_tokens);
  row.audio_output_tokens = uint32(row.audio_output_tokens);
  row.cache_read_tokens = uint32(row.cache_read_tokens);
  row.cache_write_tokens = uint32(row.cache_write_tokens);
  row.cache_write_1h_tokens = uint32(row.cache_write_1h_tokens);
  row.reasoning_tokens = uint32(row.reasoning_tokens);
  row.web_searches = uint32(row.web_searches);
  row.cost_input = usd(row.cost_input);
  row.cost_output = usd(row.cost_output);
  row.cost_cache_read = usd(row.cost_cache_read);
  row.cost_cache_write = usd(row.cost_cache_write);
  row.cost_total = usd(row.cost_total);
  return row;
}
