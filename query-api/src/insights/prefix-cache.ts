import { formatUsd, parseUsd } from "@burnrate/core";
import { build, param, sql } from "@burnrate/storage";
import { bucketRates, priceSums } from "../pricing/counterfactual.js";
import { CALL_MODEL } from "../queries/call-filters.js";
import { FINAL_SETTINGS } from "../queries/read-settings.js";
import { EXAMPLE_TRACES } from "../queries/reprice-slice.js";
import type { Insight } from "../schemas/insight.js";
import type { EvidenceRow, InsightInput } from "./insight-input.js";

/** The smallest prompt providers will cache (OpenAI and Anthropic both start at 1,024 tokens). */
export const MIN_CACHEABLE_PROMPT = 1_024;

/**
 * Prefix-cache candidates: a feature sending large prompts to one model with no cache reads
 * at all. Prompts are never stored, so the shared prefix is estimated as the group's
 * smallest prompt (a system prompt and tools cannot be longer than the shortest prompt that
 * carries them). The estimate is that prefix read from the cache instead of sent as input
 * on every call but the first, less one cache write where writes cost extra.
 */
export async function prefixCacheInsights(input: InsightInput): Promise<Insight[]> {
  const rows = await input.db.query<
    EvidenceRow & {
      feature: string;
      provider: string;
      model: string;
      min_prompt: number;
      prompt_tokens: number;
    }
  >(
    build(sql`SELECT feature, provider, toString(${CALL_MODEL}) AS model,
        count() AS calls, uniqExact(trace_id) AS traces, countIf(cost_source = 'unpriced') AS unpriced,
        sum(cost_total) AS cost, ${EXAMPLE_TRACES} AS examples,
        min(input_tokens) AS min_prompt, sum(input_tokens) AS prompt_tokens
      FROM llm_calls FINAL
      WHERE ${input.where} AND input_tokens >= ${param("UInt32", MIN_CACHEABLE_PROMPT)}
      GROUP BY feature, provider, model
      HAVING calls >= ${param("UInt32", input.minCalls)} AND sum(cache_read_tokens) = 0 AND calls > unpriced
      ORDER BY cost DESC, feature, provider, model
      LIMIT ${param("UInt32", input.limit * 4)}
      ${FINAL_SETTINGS}`),
  );
  const insights: Insight[] = [];
  for (const row of rows) {
    const prefix = Number(row.min_prompt);
    const target = { provider: row.provider, model: row.model, serviceTier: "" };
    const rates = bucketRates(input.book, target, input.at, 0, prefix);
    if (!rates) continue;
    const repeats = Number(row.calls) - Number(row.unpriced) - 1;
    const sentAsInput = priceSums(rates, {
      uncached: repeats * prefix,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
    });
    const readFromCache = priceSums(rates, {
      uncached: 0,
      output: 0,
      cacheRead: repeats * prefix,
      cacheWrite: 0,
    });
    const write = priceSums(rates, { uncached: 0, output: 0, cacheRead: 0, cacheWrite: prefix });
    const asInput = priceSums(rates, { uncached: prefix, output: 0, cacheRead: 0, cacheWrite: 0 });
    const savings = sentAsInput - readFromCache - (write > asInput ? write - asInput : 0n);
    if (savings <= 0n) continue;
    insights.push({
      kind: "prefix_cache",
      title: `${row.feature || "(no feature)"} sends ${row.calls} large prompts to ${row.model} with no cache reads; cache the stable prefix`,
      estimatedSavingsUsd: formatUsd(savings),
      scope: { feature: row.feature, provider: row.provider, model: row.model },
      suggestion: { cache: "prefix", prefixTokens: String(prefix) },
      evidence: {
        calls: Number(row.calls),
        traces: Number(row.traces),
        unpricedCalls: Number(row.unpriced),
        pricedCostUsd: row.cost,
        exampleTraceIds: row.examples,
        details: {
          assumedPrefixTokens: prefix,
          averagePromptTokens: Math.round(Number(row.prompt_tokens) / Number(row.calls)),
          cacheReadTokens: 0,
          minPromptTokens: MIN_CACHEABLE_PROMPT,
        },
      },
    });
  }
  return insights.sort(bySavings).slice(0, input.limit);
}

/** Highest saving first; ties by title so the order is stable. */
export function bySavings(a: Insight, b: Insight): number {
  const d = parseUsd(b.estimatedSavingsUsd) - parseUsd(a.estimatedSavingsUsd);
  return d > 0n ? 1 : d < 0n ? -1 : a.title < b.title ? -1 : 1;
}
