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
 * is what such a provider bills for them.
 *
 * Audio and web searches follow genai-prices' `calcPrice`. Audio (`audioInput`, `audioOutput`,
 * each at most the input or output it is part of) is charged at the card's audio prices, in
 * the input and output parts; on a card without them it stays at the text prices, as
 * genai-prices charges it (an unpriced kind of token counts as its parent, the prompt or the
 * output). Usage reports no count of cached audio, so audio is taken to be uncached as far as
 * the uncached prompt goes; beyond it, it sits in the cache reads, then the cache writes (see
 * `placeAudio`). Searches cost `card.webSearch` each, in the input part, and only where the
 * card has that fee.
 *
 * Each part is rounded once per price it is charged at, half-to-even, to 12 decimals, and
 * `total` is the exact sum of the rounded parts, so the parts always add up. `ratio` scales
 * every token price (a service-tier discount or surcharge). A fee per request
 * (`card.perRequest`) is part of what sending the request costs, so it is in the input part,
 * scaled like the tokens. Search fees are not scaled: batch, flex and priority prices are
 * token prices, and providers list search fees apart, per 1,000 searches, with no tier price.
 * @example priceTokens({ input: 1000, output: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, card, "genai-prices@0.1.8")
 */
export function priceTokens(
  tokens: TokenUsage,
  card: RateCard,
  priceVersion: string,
  ratio: Ratio = WHOLE,
): CallCost {
  const n = billedTokens(tokens, pricedKinds(card));
  const at = (rate: Rate) => rateAt(rate, n.prompt);
  const fee = card.perRequest ? costOfTokens(1_000_000, card.perRequest, ratio) : 0n;
  const searches = card.webSearch ? costOfTokens(n.webSearches, card.webSearch * 1_000_000n) : 0n;
  const input =
    costOfTokens(n.uncached, at(card.input), ratio) +
    costOfTokens(n.audioInput, at(card.audioInput ?? card.input), ratio) +
    fee +
    searches;
  const output =
    costOfTokens(n.output, at(card.output), ratio) +
    costOfTokens(n.audioOutput, at(card.audioOutput ?? card.output), ratio);
  const read = costOfTokens(n.cacheRead, at(card.cacheRead ?? card.input), ratio);
  const writeRate = card.cacheWrite ?? card.input;
  const write =
    costOfTokens(n.cacheWrite, at(writeRate), ratio) +
    costOfTokens(n.cacheWrite1h, at(card.cacheWrite1h ?? writeRate), ratio);

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

/**
 * Which kinds a card prices on their own, which decides where audio tokens are billed. A cache
 * part counts as priced when it has its own price (one-hour writes: their own or the
 * cache-write price); without one it is billed as the prompt, at the input price.
 */
export interface PricedKinds {
  audioInput: boolean;
  audioOutput: boolean;
  cacheRead: boolean;
  cacheWrite: boolean;
  cacheWrite1h: boolean;
}

function pricedKinds(card: RateCard): PricedKinds {
  return {
    audioInput: card.audioInput !== undefined,
    audioOutput: card.audioOutput !== undefined,
    cacheRead: card.cacheRead !== undefined,
    cacheWrite: card.cacheWrite !== undefined,
    cacheWrite1h: (card.cacheWrite1h ?? card.cacheWrite) !== undefined,
  };
}

/** The tokens a call is billed for at each price, by the rules in `priceTokens`' doc comment. */
interface BilledTokens {
  /** The whole prompt: the size that selects a price tier. */
  prompt: number;
  /** Uncached prompt tokens at the input price. */
  uncached: number;
  /** Prompt tokens at the audio input price; 0 unless the card has one. */
  audioInput: number;
  cacheRead: number;
  /** Cache writes at the cache-write price: all but the one-hour part. */
  cacheWrite: number;
  /** The part of the cache writes written to a one-hour cache. */
  cacheWrite1h: number;
  /** Output tokens at the output price. */
  output: number;
  /** Output tokens at the audio output price; 0 unless the card has one. */
  audioOutput: number;
  webSearches: number;
}

function billedTokens(tokens: TokenUsage, priced: PricedKinds): BilledTokens {
  const cacheRead = count(tokens.cacheRead);
  const cacheWrite = count(tokens.cacheWrite);
  const cacheWrite1h = Math.min(count(tokens.cacheWrite1h ?? 0), cacheWrite);
  const prompt = Math.max(count(tokens.input), cacheRead + cacheWrite);
  const output = count(tokens.output);
  const audioOutput = priced.audioOutput ? Math.min(count(tokens.audioOutput ?? 0), output) : 0;
  const billed: BilledTokens = {
    prompt,
    uncached: prompt - cacheRead - cacheWrite,
    audioInput: 0,
    cacheRead,
    cacheWrite: cacheWrite - cacheWrite1h,
    cacheWrite1h,
    output: output - audioOutput,
    audioOutput,
    webSearches: count(tokens.webSearches ?? 0),
  };
  const audio = tokens.audioInput;
  if (priced.audioInput && audio) placeAudio(billed, Math.min(count(audio), prompt), priced);
  return billed;
}

/** The cache parts audio may sit in once the uncached prompt is full, in the order it fills them. */
const CACHE_PARTS = ["cacheRead", "cacheWrite", "cacheWrite1h"] as const;

/**
 * Moves `audio` prompt tokens to the audio price. Audio fills the uncached prompt first: usage
 * reports no cached-audio count, and this is the least cached audio the counts allow. What is
 * left was cached. A cache part without a price of its own is billed as the prompt, so its
 * audio is billed as audio, as genai-prices bills it (it charges such tokens to their one
 * priced parent, the audio price). A part with its own price keeps its audio at that price:
 * genai-prices would want a cached-audio price and count here, which no chat usage carries
 * (OpenAI's realtime models price cached audio as cached text).
 */
function placeAudio(billed: BilledTokens, audio: number, priced: PricedKinds): void {
  const uncached = Math.min(audio, billed.uncached);
  billed.uncached -= uncached;
  billed.audioInput = uncached;
  let left = audio - uncached;
  for (const part of CACHE_PARTS) {
    if (left <= 0) return;
    const cached = Math.min(left, billed[part]);
    left -= cached;
    if (priced[part]) continue;
    billed[part] -= cached;
    billed.audioInput += cached;
  }
}

/** A card's prices in whole pico-dollars per token, for `totalUsd`. */
export interface WholeRates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
  audioInput: number;
  audioOutput: number;
  /** Pico-dollars per call, whatever its tokens. */
  perRequest: number;
  /** Pico-dollars per web search, never scaled by a service tier (see `priceTokens`). */
  webSearch: number;
  /** Which kinds the card prices on their own, for where audio tokens are billed. */
  priced: PricedKinds;
}

/**
 * The card's prices, times `ratio`, as whole pico-dollars per token, or undefined unless
 * every price is flat (no tiers) and comes out whole. Published prices almost always do:
 * $0.15 per million tokens is 150,000 pico-dollars a token.
 */
export function wholeRates(card: RateCard, ratio: Ratio = WHOLE): WholeRates | undefined {
  const perToken = (rate: Rate, scale: Ratio = ratio): number | undefined => {
    if (rate.tiers.length > 0) return undefined;
    const scaled = rate.base * scale.numerator;
    const divisor = 1_000_000n * scale.denominator;
    if (scaled % divisor !== 0n) return undefined;
    const whole = Number(scaled / divisor);
    return Number.isSafeInteger(whole) ? whole : undefined;
  };
  const input = perToken(card.input);
  const output = perToken(card.output);
  const cacheRead = perToken(card.cacheRead ?? card.input);
  const cacheWrite = perToken(card.cacheWrite ?? card.input);
  const cacheWrite1h = perToken(card.cacheWrite1h ?? card.cacheWrite ?? card.input);
  const audioInput = perToken(card.audioInput ?? card.input);
  const audioOutput = perToken(card.audioOutput ?? card.output);
  // A fee per call is a "rate" for a million of one thing: the same whole-number test applies.
  const perRequest = card.perRequest ? perToken(flatRate(card.perRequest * 1_000_000n)) : 0;
  const webSearch = card.webSearch ? perToken(flatRate(card.webSearch * 1_000_000n), WHOLE) : 0;
  if (
    input === undefined ||
    output === undefined ||
    cacheRead === undefined ||
    cacheWrite === undefined ||
    cacheWrite1h === undefined ||
    audioInput === undefined ||
    audioOutput === undefined ||
    perRequest === undefined ||
    webSearch === undefined
  )
    return undefined;
  const priced = pricedKinds(card);
  return {
    input,
    output,
    cacheRead,
    cacheWrite,
    cacheWrite1h,
    audioInput,
    audioOutput,
    perRequest,
    webSearch,
    priced,
  };
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
  const n = billedTokens(tokens, rates.priced);
  if (!wholeCounts(n)) return undefined;
  const pico =
    n.uncached * rates.input +
    n.audioInput * rates.audioInput +
    n.output * rates.output +
    n.audioOutput * rates.audioOutput +
    n.cacheRead * rates.cacheRead +
    n.cacheWrite * rates.cacheWrite +
    n.cacheWrite1h * rates.cacheWrite1h +
    n.webSearches * rates.webSearch +
    rates.perRequest;
  // All terms are whole and non-negative, so an inexact product or sum would push the total past the safe range.
  return Number.isSafeInteger(pico) ? pico / 1e12 : undefined;
}

/** Whether every count is a safe whole number; written out, as it runs on every instrumented call. */
function wholeCounts(n: BilledTokens): boolean {
  return (
    Number.isSafeInteger(n.prompt) &&
    Number.isSafeInteger(n.uncached) &&
    Number.isSafeInteger(n.audioInput) &&
    Number.isSafeInteger(n.cacheRead) &&
    Number.isSafeInteger(n.cacheWrite) &&
    Number.isSafeInteger(n.cacheWrite1h) &&
    Number.isSafeInteger(n.output) &&
    Number.isSafeInteger(n.audioOutput) &&
    Number.isSafeInteger(n.webSearches)
  );
}

/** Token counts come from spans; a missing, negative or NaN count is treated as none. */
function count(tokens: number): number {
  return Number.isFinite(tokens) && tokens > 0 ? tokens : 0;
}
