import { z } from "zod";
import { filterQueryShape } from "./filters.js";
import { instant, usd } from "./money.js";
import { checkRange, rangeShape } from "./time-range.js";
import { wholeNumber } from "./whole-number.js";

export const INSIGHT_KINDS = ["exact_cache", "prefix_cache", "routing", "batch"] as const;

/** GET /v1/insights query. */
export const insightsQuery = z
  .strictObject({
    ...rangeShape,
    ...filterQueryShape,
    limit: wholeNumber(1, 50, 5).describe("at most this many insights of each kind"),
    minCalls: wholeNumber(2, 100_000, 3).describe("a pattern must cover at least this many calls"),
  })
  .superRefine(checkRange);

/** One savings opportunity, with the estimate and the evidence behind it. */
export const insight = z.object({
  kind: z.enum(INSIGHT_KINDS),
  title: z.string(),
  estimatedSavingsUsd: usd.describe(
    "over the range, priced calls only. exact_cache: the calls' cost as stored. prefix_cache, routing, batch: " +
      "the stored tokens priced with the price book in force at the end of the range (or now, if earlier), " +
      "both as sent and as suggested, so a price changed since the calls were stored is not counted as a saving",
  ),
  scope: z.record(z.string(), z.string()).describe("which calls: feature, service, provider, model…"),
  suggestion: z.record(z.string(), z.string()).describe("what to change: a cache, a model, a service tier"),
  evidence: z.object({
    calls: z.number().int().nonnegative(),
    traces: z.number().int().nonnegative(),
    unpricedCalls: z
      .number()
      .int()
      .nonnegative()
      .describe("calls with no price, left out of every dollar figure"),
    pricedCostUsd: usd,
    exampleTraceIds: z.array(z.string()),
    details: z
      .record(z.string(), z.union([z.number(), z.string()]))
      .describe(
        "the kind's own figures and thresholds. exact_cache: repeats, pricedRepeats (the repeats valued), " +
          "features. prefix_cache: assumedPrefixTokens, averagePromptTokens, cacheReadTokens, minPromptTokens " +
          "(the model's minimum cacheable prompt), cacheWriteCalls and cacheReadCalls (at the suggested TTL). " +
          "routing and batch: currentCostUsd and counterfactualCostUsd (the priced calls as sent and as " +
          "suggested, at the same prices), priceVersion; routing: maxInputTokens, maxOutputTokens; batch: " +
          "callsWithoutUserOrSession, attributedCallsTaggedBatch, taggedCalls and inferredCalls (tagged " +
          "`burnrate.task_type` batch, or untagged with no user or session), taggedSavingsUsd and " +
          "inferredSavingsUsd (their parts of the estimate)",
      ),
  }),
});
export type Insight = z.infer<typeof insight>;

/** GET /v1/insights response. */
export const insightsResponse = z.object({
  range: z.object({ from: instant, to: instant }),
  insights: z
    .array(insight)
    .describe("highest estimated saving first; estimates can overlap, so do not add them up"),
});
