import { divideHalfEven, type PriceBook, parseUsd, UNPRICED, type Usd } from "@burnrate/core";

/** The model (and service tier) a slice of calls is repriced under. */
export interface Target {
  provider: string;
  model: string;
  serviceTier: string;
}

/** Token sums of a group of calls whose prompts fall in one price tier. */
export interface TokenSums {
  /** Prompt tokens neither read from nor written to the cache. */
  uncached: number;
  output: number;
  cacheRead: number;
  /** Every cache write, the one-hour ones included. */
  cacheWrite: number;
  /**
   * The part of `cacheWrite` written to a one-hour cache (Anthropic's `ttl: "1h"`), which is
   * priced at `BucketRates.cacheWrite1h`; 0 or absent when none. Like `priceTokens`, never
   * more than `cacheWrite` counts.
   */
  cacheWrite1h?: number;
}

/**
 * A target's prices for prompts in one size bucket, as the cost of `tokens` tokens of each
 * kind. Keeping the cost of many tokens (not a per-token rate) keeps it exact: $0.075/M is
 * $0.075 for a million tokens, while one token would be a fraction of a pico-dollar.
 */
export interface BucketRates {
  tokens: number;
  input: Usd;
  output: Usd;
  cacheRead: Usd;
  /** Five-minute cache writes (and every write where the provider has one price for them). */
  cacheWrite: Usd;
  /** One-hour cache writes: the target's own price for them, else its cache-write price. */
  cacheWrite1h: Usd;
  priceVersion: string;
}

/** The prompt sizes above which a target's prices change (its long-context tiers); undefined if it has no price. */
export function tierStarts(book: PriceBook, target: Target, at: Date): number[] | undefined {
  const found = book.lookup({ provider: target.provider, model: target.model, at });
  return found && (found.tiers ?? []).map((t) => t.aboveInputTokens);
}

/**
 * The target's rates for prompts larger than `above` and at most `upTo` tokens, found by
 * pricing probe calls through the price book itself, so service tiers, overrides and
 * long-context rules apply exactly as they do to real calls. Undefined when unpriced.
 */
export function bucketRates(
  book: PriceBook,
  target: Target,
  at: Date,
  above: number,
  upTo: number | undefined,
): BucketRates | undefined {
  // A prompt of this many tokens lies in the bucket; a million where it fits, for exactness.
  const tokens = Math.min(above + 1_000_000, upTo ?? Number.POSITIVE_INFINITY);
  const probe = (kinds: {
    output?: number;
    cacheRead?: number;
    cacheWrite?: number;
    cacheWrite1h?: number;
  }) =>
    book.price({
      provider: target.provider,
      requestModel: target.model,
      responseModel: "",
      serviceTier: target.serviceTier,
      startTimeUnixNano: BigInt(at.getTime()) * 1_000_000n,
      cost: UNPRICED,
      tokens: { input: tokens, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, ...kinds },
    }).cost;
  const plain = probe({ output: tokens });
  if (plain.source === "unpriced") return undefined;
  return {
    tokens,
    input: parseUsd(plain.input),
    output: parseUsd(plain.output),
    cacheRead: parseUsd(probe({ cacheRead: tokens }).cacheRead),
    cacheWrite: parseUsd(probe({ cacheWrite: tokens }).cacheWrite),
    cacheWrite1h: parseUsd(probe({ cacheWrite: tokens, cacheWrite1h: tokens }).cacheWrite),
    priceVersion: plain.priceVersion,
  };
}

/** What `sums` cost at `rates`, rounded once to pico-dollars (half-to-even). */
export function priceSums(rates: BucketRates, sums: TokenSums): Usd {
  const oneHour = Math.min(sums.cacheWrite1h ?? 0, sums.cacheWrite);
  const numerator =
    BigInt(sums.uncached) * rates.input +
    BigInt(sums.output) * rates.output +
    BigInt(sums.cacheRead) * rates.cacheRead +
    BigInt(sums.cacheWrite - oneHour) * rates.cacheWrite +
    BigInt(oneHour) * rates.cacheWrite1h;
  return divideHalfEven(numerator, BigInt(rates.tokens));
}
