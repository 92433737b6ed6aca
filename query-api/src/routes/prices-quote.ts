import { UNPRICED } from "@burnrate/core";
import { defineRoute } from "../http/route.js";
import { quoteInput, quoteResponse } from "../schemas/price.js";

/** POST /v1/prices/quote — what a given usage would cost, without storing anything. */
export const quotePrice = defineRoute({
  method: "post",
  path: "/v1/prices/quote",
  tag: "prices",
  summary: "Price a usage (dry run)",
  description:
    "Prices the given tokens exactly as the collector would price such a call. A model with no price gives `priced: false` and `cost: null`.",
  role: "read",
  body: quoteInput,
  response: quoteResponse,
  async handle({ body, context }) {
    const at = body.at ?? context.now();
    const { cost } = context.priceBook.price({
      provider: body.provider,
      requestModel: body.model,
      responseModel: "",
      serviceTier: body.serviceTier,
      startTimeUnixNano: BigInt(at.getTime()) * 1_000_000n,
      cost: UNPRICED,
      tokens: {
        input: body.usage.inputTokens,
        output: body.usage.outputTokens,
        cacheRead: body.usage.cacheReadTokens,
        cacheWrite: body.usage.cacheWriteTokens,
        ...(body.usage.cacheWrite1hTokens > 0 ? { cacheWrite1h: body.usage.cacheWrite1hTokens } : {}),
        reasoning: body.usage.reasoningTokens,
        // Absent when 0, as the collector's calls carry them.
        ...(body.usage.audioInputTokens > 0 ? { audioInput: body.usage.audioInputTokens } : {}),
        ...(body.usage.audioOutputTokens > 0 ? { audioOutput: body.usage.audioOutputTokens } : {}),
        ...(body.usage.webSearches > 0 ? { webSearches: body.usage.webSearches } : {}),
      },
    });
    const priced = cost.source !== "unpriced";
    return {
      model: body.model,
      provider: body.provider,
      serviceTier: body.serviceTier,
      at: at.toISOString(),
      priced,
      cost: priced
        ? {
            inputUsd: cost.input,
            outputUsd: cost.output,
            cacheReadUsd: cost.cacheRead,
            cacheWriteUsd: cost.cacheWrite,
            totalUsd: cost.total,
            priceVersion: cost.priceVersion,
          }
        : null,
    };
  },
});
