import { type Fragment, sql } from "@burnrate/storage";
import type { CallTotals } from "../schemas/money.js";

/** The aggregate columns every totals query selects, under the names `toTotals` reads. */
export interface TotalsRow {
  calls: number;
  unpricedCalls: number;
  errorCalls: number;
  pricedCostUsd: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

/**
 * Totals over `llm_calls` rows. An unpriced call stores a zero cost, so summing every row's
 * `cost_total` is the priced cost; the unpriced calls are counted beside it.
 */
export const CALL_TOTALS: Fragment = sql`count() AS calls,
  countIf(cost_source = 'unpriced') AS unpricedCalls,
  countIf(status = 'error') AS errorCalls,
  sum(cost_total) AS pricedCostUsd,
  sum(input_tokens) AS inputTokens,
  sum(output_tokens) AS outputTokens,
  sum(cache_read_tokens) AS cacheReadTokens,
  sum(cache_write_tokens) AS cacheWriteTokens,
  sum(reasoning_tokens) AS reasoningTokens`;

/** The same totals over the `llm_cost_minutely` rollup, which stores them pre-summed. */
export const ROLLUP_TOTALS: Fragment = sql`sum(calls) AS calls,
  sum(unpriced_calls) AS unpricedCalls,
  sum(error_calls) AS errorCalls,
  sum(cost_total) AS pricedCostUsd,
  sum(input_tokens) AS inputTokens,
  sum(output_tokens) AS outputTokens,
  sum(cache_read_tokens) AS cacheReadTokens,
  sum(cache_write_tokens) AS cacheWriteTokens,
  sum(reasoning_tokens) AS reasoningTokens`;

/** Zero decimals, for an aggregate over no rows. */
export const ZERO_USD = "0.000000000000";

/** Maps an aggregate row to the API's totals object. */
export function toTotals(row: TotalsRow | undefined): CallTotals {
  const calls = Number(row?.calls ?? 0);
  const unpricedCalls = Number(row?.unpricedCalls ?? 0);
  return {
    calls,
    pricedCalls: calls - unpricedCalls,
    unpricedCalls,
    errorCalls: Number(row?.errorCalls ?? 0),
    pricedCostUsd: row?.pricedCostUsd ?? ZERO_USD,
    tokens: {
      input: Number(row?.inputTokens ?? 0),
      output: Number(row?.outputTokens ?? 0),
      cacheRead: Number(row?.cacheReadTokens ?? 0),
      cacheWrite: Number(row?.cacheWriteTokens ?? 0),
      reasoning: Number(row?.reasoningTokens ?? 0),
    },
  };
}
