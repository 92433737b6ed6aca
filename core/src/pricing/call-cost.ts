import type { CallCost, TokenUsage } from "../llm-call.js";
import { addUsd, costOfTokens, formatUsd, type Ratio, WHOLE } from "./money.js";
import { type RateCard, rateAt } from "./rate-card.js";

/**
 * Prices a call's tokens with a rate card and returns the computed `CallCost`.
 *
 * Token semantics follow `TokenUsage`: `input` is the whole prompt and already contains
 * `cacheRead` and `cacheWrite`, and `output` already contains `reasoning`. So:
 * - uncached input = input − cacheRead − cacheWrite (never below 0), at the input price;
 * - cacheRead at the cache-read price, cacheWrite at the cache-write price;
 * - output at the output price, once: reasoning is inside it and is never added again.
 *
 * A model with no published cache-read or cache-write price (many open-weight hosts) is
 * charged the input price for those tokens: they are prompt tokens, and the input price
 * is what such a provider bills for them. Each part is rounded once, half-to-even, to 12
 * decimals, and `total` is the exact sum of the rounded parts, so the parts always add up.
 * `ratio` scales every part (a service-tier discount or surcharge).
 * @example priceTokens({ input: 1000, output: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, card, "genai-prices@0.1.8")
 */
export function priceTokens(
  tokens: TokenUsage,
  card: RateCard,
  priceVersion: string,
  ratio: Ratio = WHOLE,
): CallCost {
  const cacheRead = count(tokens.cacheRead);
  const cacheWrite = count(tokens.cacheWrite);
  const prompt = Math.max(count(tokens.input), cacheRead + cacheWrite);
  const uncached = prompt - cacheRead - cacheWrite;

  const input = costOfTokens(uncached, rateAt(card.input, prompt), ratio);
  const output = costOfTokens(count(tokens.output), rateAt(card.output, prompt), ratio);
  const read = costOfTokens(cacheRead, rateAt(card.cacheRead ?? card.input, prompt), ratio);
  const write = costOfTokens(cacheWrite, rateAt(card.cacheWrite ?? card.input, prompt), ratio);

  return {
    input: formatUsd(input),
    output: formatUsd(output),
    cacheRead: formatUsd(read),
    cacheWrite: formatUsd(write),
    total: formatUsd(addUsd(input, output, read, write)),
    source: "computed",
    priceVersion,
  };
}

/** Token counts come from spans; a missing, negative or NaN count is treated as none. */
function count(tokens: number): number {
  return Number.isFinite(tokens) && tokens > 0 ? tokens : 0;
}
