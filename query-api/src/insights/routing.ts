import { formatUsd } from "@burnrate/core";
import { param, sql } from "@burnrate/storage";
import { repriceSlice } from "../queries/reprice-slice.js";
import type { Insight } from "../schemas/insight.js";
import type { InsightInput } from "./insight-input.js";
import { bySavings } from "./prefix-cache.js";

/** A call this small (prompt and completion, no reasoning) rarely needs a frontier model. */
export const SHORT_CALL = { maxInputTokens: 4_000, maxOutputTokens: 300 } as const;

/**
 * The default cheaper model per provider (`gen_ai.provider.name`): each provider's small
 * general-purpose model, so the suggestion stays with the vendor the team already uses.
 */
export const DEFAULT_ROUTING_TARGETS: Readonly<Record<string, string>> = {
  openai: "gpt-4o-mini",
  anthropic: "claude-haiku-4-5",
  "gcp.gemini": "gemini-2.0-flash",
  "gcp.vertex_ai": "gemini-2.0-flash",
};

/**
 * Routing candidates: short, non-reasoning calls on a model at least twice as expensive as
 * its provider's small model for the same tokens. Both sides price the stored tokens with
 * the same price book at the same instant, per feature, model and tier: the calls on their
 * own model, and on the smaller one. A stored cost can be the provider's own figure or come
 * from an older price version, and comparing it with today's price of the small model would
 * count a price change as a saving of routing.
 */
export async function routingInsights(input: InsightInput): Promise<Insight[]> {
  const where = sql`${input.where} AND input_tokens <= ${param("UInt32", SHORT_CALL.maxInputTokens)}
    AND output_tokens <= ${param("UInt32", SHORT_CALL.maxOutputTokens)} AND reasoning_tokens = 0`;
  const groups = await repriceSlice(
    input.db,
    input.book,
    input.at,
    where,
    [{ name: "feature", expression: sql`feature` }],
    (group) => {
      const model = input.routingTargets.get(group.provider);
      return model && model !== group.model
        ? { provider: group.provider, model, serviceTier: group.serviceTier }
        : undefined;
    },
    { sameBook: true },
  );
  const insights: Insight[] = [];
  for (const g of groups) {
    const { calls, currentUsd, counterfactualUsd } = g.sameBook;
    // "Expensive" relative to the alternative: the small model would cost at most half.
    if (!g.target || calls < input.minCalls || currentUsd <= counterfactualUsd) continue;
    if (counterfactualUsd * 2n > currentUsd) continue;
    const feature = g.keys.feature ?? "";
    insights.push({
      kind: "routing",
      title: `${feature || "(no feature)"} makes ${calls} short calls to ${g.model}; route them to ${g.target.model}`,
      estimatedSavingsUsd: formatUsd(currentUsd - counterfactualUsd),
      scope: { feature, provider: g.provider, model: g.model },
      suggestion: { provider: g.target.provider, model: g.target.model },
      evidence: {
        calls: g.calls,
        traces: g.traces,
        unpricedCalls: g.unpricedCalls,
        pricedCostUsd: formatUsd(g.currentUsd),
        exampleTraceIds: g.exampleTraceIds,
        details: {
          currentCostUsd: formatUsd(currentUsd),
          counterfactualCostUsd: formatUsd(counterfactualUsd),
          maxInputTokens: SHORT_CALL.maxInputTokens,
          maxOutputTokens: SHORT_CALL.maxOutputTokens,
          priceVersion: g.priceVersion,
        },
      },
    });
  }
  return insights.sort(bySavings).slice(0, input.limit);
}
