import type { CallCost, TokenUsage } from "../llm-call.js";
import { addUsd, costOfTokens, formatUsd, type Ratio, WHOLE } from "./money.js";
import { flatRate, type Rate, type RateCard, rateAt } from "./rate-card.js";

/**
 * Prices a call's tokens with a rate card and returns the computed `CallCost`.
 *
 * Token semantics follow `TokenUsage`: `input` is the whole prompt and already contains
 * `cacheRead` and `cacheWrite`, and `output` already contains `reasoning`. So:
 * - uncached input = input − cacheRead − cacheWrite (never below 0), at the input price;
 * - cacheRead at the cache-read price, cacheWrite at the cache-write price, except its
 *   one-hour part (`cacheWrite1h`) at the one-hour price where the card has one;
 * - output at the output price, once: reasoning is inside it and is never added again.
 *
 * A model with no published cache-read or cache-write price (many open-weight hosts) is
 * charged the input price for those tokens: they are prompt tokens, and the input price
 * is what such a provider bills for them. Each part is rounded once, half-to-even, to 12
 * decimals (the cache-write part once per price it is charged at), and `total` is the exact
 * sum of the rounded parts, so the parts always add up.
 * `ratio` scales every part (a service-tier discount or surcharge). A fee per request
 * (`card.perRequest`) is part of what sending the request costs, so it is in the input part.
 * @example priceTokens({ input: 1000, output: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, card, "genai-prices@0.1.8")
 */
export function priceTokens(
  tokens: TokenUsage,
  card: RateCard,
  priceVersion: string,
  ratio: Ratio = WHOLE,
): CallCost {
  const n = billedTokens(tokens);
  const fee = card.perRequest ? costOfTokens(1_000_000, card.perRequest, ratio) : 0n;
  const input = costOfTokens(n.uncached, rateAt(card.input, n.prompt), ratio) + fee;
  const output = costOfTokens(n.output, rateAt(card.output, n.prompt), ratio);
  const read = costOfTokens(n.cacheRead, rateAt(card.cacheRead ?? card.input, n.prompt), ratio);
  const writeRate = card.cacheWrite ?? card.input;
  const write =
    costOfTokens(n.cacheWrite - n.cacheWrite1h, rateAt(writeRate, n.prompt), ratio) +
    costOfTokens(n.cacheWrite1h, rateAt(card.cacheWrite1h ?? writeRate, n.prompt), ratio);

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

/** Each kind of token a call is billed for, by the rules in `priceTokens`' doc comment. */
interface BilledTokens {
  /** The whole prompt: the size that selects a price tier. */
  prompt: number;
  uncached: number;
  cacheRead: number;
  cacheWrite: number;
  /** The part of `cacheWrite` written to a one-hour cache. */
  cacheWrite1h: number;
  output: number;
}

function billedTokens(tokens: TokenUsage): BilledTokens {
  const cacheRead = count(tokens.cacheRead);
  const cacheWrite = count(tokens.cacheWrite);
  const cacheWrite1h = Math.min(count(tokens.cacheWrite1h ?? 0), cacheWrite);
  const prompt = Math.max(count(tokens.input), cacheRead + cacheWrite);
  return {
    prompt,
    uncached: prompt - cacheRead - cacheWrite,
    cacheRead,
    cacheWrite,
    cacheWrite1h,
    output: count(tokens.output),
  };
}

/** A card's prices in whole pico-dollars per token, for `totalUsd`. */
export interface WholeRates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
  /** Pico-dollars per call, whatever its tokens. */
  perRequest: number;
}

/**
 * The card's prices, times `ratio`, as whole pico-dollars per token, or undefined unless
 * every price is flat (no tiers) and comes out whole. Published prices almost always do:
 * $0.15 per million tokens is 150,000 pico-dollars a token.
 */
export function wholeRates(card: RateCard, ratio: Ratio = WHOLE): WholeRates | undefined {
  const perToken = (rate: Rate): number | undefined => {
    if (rate.tiers.length > 0) return undefined;
    const scaled = rate.base * ratio.numerator;
    const divisor = 1_000_000n * ratio.denominator;
    if (scaled % divisor !== 0n) return undefined;
    const whole = Number(scaled / divisor);
    return Number.isSafeInteger(whole) ? whole : undefined;
  };
  const input = perToken(card.input);
  const output = perToken(card.output);
  const cacheRead = perToken(card.cacheRead ?? card.input);
  const cacheWrite = perToken(card.cacheWrite ?? card.input);
  const cacheWrite1h = perToken(card.cacheWrite1h ?? card.cacheWrite ?? card.input);
  // A fee per call is a "rate" for a million of one thing: the same whole-number test applies.
  const perRequest = card.perRequest ? perToken(flatRate(card.perRequest * 1_000_000n)) : 0;
  if (
    input === undefined ||
    output === undefined ||
    cacheRead === undefined ||
    cacheWrite === undefined ||
    cacheWrite1h === undefined ||
    perRequest === undefined
  )
    return undefined;
  return { input, output, cacheRead, cacheWrite, cacheWrite1h, perRequest };
}

/**
 * A call's total cost in dollars as a JS number, with plain integer arithmetic: the same
 * number as `Number(priceTokens(...).total)`, for the instrumentation's per-call span
 * attribute. With whole per-token prices every part is a whole number of pico-dollars, so
 * nothing is rounded; while the total stays a safe integer (under about $9,000) each sum is
 * exact, and one correctly rounded division gives the double nearest the exact decimal,
 * which is also what `Number` of the decimal string gives. Undefined when that does not
 * hold (fractional token counts, or a total too large); the caller then uses `priceTokens`.
 * @example totalUsd({ input: 1000, output: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, rates) // 0.00025 for gpt-4o-mini
 */
export function totalUsd(tokens: TokenUsage, rates: WholeRates): number | undefined {
  const n = billedTokens(tokens);
  for (const part of [n.prompt, n.cacheRead, n.cacheWrite, n.output])
    if (!Number.isSafeInteger(part)) return undefined;
  const pico =
    n.uncached * rates.input +
    n.output * rates.output +
    n.cacheRead * rates.cacheRead +
    (n.cacheWrite - n.cacheWrite1h) * rates.cacheWrite +
    n.cacheWrite1h * rates.cacheWrite1h +
    rates.perRequest;
  // All terms are whole and non-negative, so an inexact product or sum would push the total past the safe range.
  return Number.isSafeInteger(pico) ? pico / 1e12 : undefined;
}

/** Token counts come from spans; a missing, negative or NaN count is treated as none. */
function count(tokens: number): number {
  return Number.isFinite(tokens) && tokens > 0 ? tokens : 0;
}
