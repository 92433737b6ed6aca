import type { Usd } from "./money.js";

/** A higher price that applies once a prompt is larger than `start` tokens. */
export interface RateTier {
  start: number;
  perMillion: Usd;
}

/** A per-million-token price; `tiers` (ascending by `start`) is empty for a flat price. */
export interface Rate {
  base: Usd;
  tiers: readonly RateTier[];
}

/**
 * The token prices of one model at one moment. A missing cache price means the model has
 * none published; cost calculation then prices those tokens at the input rate.
 */
export interface RateCard {
  input: Rate;
  output: Rate;
  cacheRead?: Rate;
  cacheWrite?: Rate;
  /** Writes to a one-hour cache (`TokenUsage.cacheWrite1h`); without it they are at `cacheWrite`. */
  cacheWrite1h?: Rate;
  /** Audio prompt tokens (`TokenUsage.audioInput`); without it they are at `input`, as genai-prices charges them. */
  audioInput?: Rate;
  /** Audio output tokens (`TokenUsage.audioOutput`); without it they are at `output`. */
  audioOutput?: Rate;
  /** A fee per server-side web search (`TokenUsage.webSearches`), in pico-dollars; none without it. */
  webSearch?: Usd;
  /** A fee per call whatever its tokens (Perplexity's search requests), in pico-dollars. */
  perRequest?: Usd;
}

/** A rate with one price whatever the prompt size. */
export function flatRate(perMillion: Usd): Rate {
  return { base: perMillion, tiers: [] };
}

/**
 * The price per million tokens of `rate` for a prompt of `promptTokens` tokens.
 *
 * Tier matching: the prompt size is the whole prompt (`TokenUsage.input`, which already
 * counts cache reads and writes). The price is that of the last tier, in ascending `start`
 * order, whose `start` the prompt size strictly exceeds; when it exceeds none, the base
 * price. The same prompt size selects the tier for every token kind of the call, so a
 * 250k-token prompt to a model with a 200k tier pays the higher input, cache and output
 * prices on all of its tokens, not only on the tokens past 200k. This is how the providers
 * bill long context and how genai-prices computes it ("greater than start").
 * @example rateAt({ base: 3n, tiers: [{ start: 200_000, perMillion: 6n }] }, 200_001) === 6n
 */
export function rateAt(rate: Rate, promptTokens: number): Usd {
  let price = rate.base;
  for (const tier of rate.tiers) {
    if (promptTokens > tier.start) price = tier.perMillion;
  }
  return price;
}

/** The distinct tier starts of a card, ascending: the prompt sizes at which any price changes. */
export function tierStarts(card: RateCard): number[] {
  const starts = new Set<number>();
  const rates = [
    card.input,
    card.output,
    card.cacheRead,
    card.cacheWrite,
    card.cacheWrite1h,
    card.audioInput,
    card.audioOutput,
  ];
  for (const rate of rates) {
    for (const tier of rate?.tiers ?? []) starts.add(tier.start);
  }
  return [...starts].sort((a, b) => a - b);
}
