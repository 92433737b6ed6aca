import {
  divideHalfEven,
  type PriceBook,
  parseUsd,
  type TokenUsage,
  UNPRICED,
  type Usd,
} from "@burnrate/core";

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
  /**
   * The audio in the prompt, split by where it sat: `audioInput` is the part of `uncached`
   * that was audio, `audioCacheRead` of `cacheRead`, `audioCacheWrite` of the five-minute
   * writes (`cacheWrite` less `cacheWrite1h`) and `audioCacheWrite1h` of the one-hour ones.
   * Each call's audio fills its uncached prompt first, then its cache reads, then its writes,
   * as `priceTokens` places it. 0 or absent when none; never more than the part they are of.
   */
  audioInput?: number;
  audioCacheRead?: number;
  audioCacheWrite?: number;
  audioCacheWrite1h?: number;
  /** The part of `output` that was audio; 0 or absent when none. */
  audioOutput?: number;
  /** Server-side web searches, each charged the target's fee; 0 or absent when none. */
  webSearches?: number;
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
  /**
   * Audio prompt tokens, uncached, then sitting in each cache part: the target's audio input
   * price where it bills them so, else the text price of where they sat.
   */
  audioInput: Usd;
  audioCacheRead: Usd;
  audioCacheWrite: Usd;
  audioCacheWrite1h: Usd;
  /** Audio output tokens: the target's audio output price, else its output price. */
  audioOutput: Usd;
  /** `tokens` web searches: the target's fee for that many, 0 where it charges none. */
  webSearch: Usd;
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
  const probe = (kinds: Omit<Partial<TokenUsage>, "input">) =>
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
  // A prompt of cache reads only has no uncached tokens: its input part is the fee per
  // request alone, which the probes below take off to leave the cost of the tokens.
  const reads = probe({ cacheRead: tokens });
  const fee = parseUsd(reads.input);
  // Every part but the fee, so that audio is counted wherever the price book bills it.
  const tokensCost = (kinds: Omit<Partial<TokenUsage>, "input">) => {
    const cost = probe(kinds);
    return (
      parseUsd(cost.input) +
      parseUsd(cost.output) +
      parseUsd(cost.cacheRead) +
      parseUsd(cost.cacheWrite) -
      fee
    );
  };
  return {
    tokens,
    input: parseUsd(plain.input),
    output: parseUsd(plain.output),
    cacheRead: parseUsd(reads.cacheRead),
    cacheWrite: parseUsd(probe({ cacheWrite: tokens }).cacheWrite),
    cacheWrite1h: parseUsd(probe({ cacheWrite: tokens, cacheWrite1h: tokens }).cacheWrite),
    audioInput: tokensCost({ audioInput: tokens }),
    audioCacheRead: tokensCost({ cacheRead: tokens, audioInput: tokens }),
    audioCacheWrite: tokensCost({ cacheWrite: tokens, audioInput: tokens }),
    audioCacheWrite1h: tokensCost({ cacheWrite: tokens, cacheWrite1h: tokens, audioInput: tokens }),
    audioOutput: parseUsd(probe({ output: tokens, audioOutput: tokens }).output),
    webSearch: parseUsd(probe({ cacheRead: tokens, webSearches: tokens }).input) - fee,
    priceVersion: plain.priceVersion,
  };
}

/** What `sums` cost at `rates`, rounded once to pico-dollars (half-to-even). */
export function priceSums(rates: BucketRates, sums: TokenSums): Usd {
  const oneHour = Math.min(sums.cacheWrite1h ?? 0, sums.cacheWrite);
  const fiveMinute = sums.cacheWrite - oneHour;
  // Each kind of token at its price, the audio part of it at the audio one.
  const priced = (count: number, audio: number | undefined, rate: Usd, audioRate: Usd) => {
    const inAudio = Math.min(audio ?? 0, count);
    return BigInt(count - inAudio) * rate + BigInt(inAudio) * audioRate;
  };
  const numerator =
    priced(sums.uncached, sums.audioInput, rates.input, rates.audioInput) +
    priced(sums.output, sums.audioOutput, rates.output, rates.audioOutput) +
    priced(sums.cacheRead, sums.audioCacheRead, rates.cacheRead, rates.audioCacheRead) +
    priced(fiveMinute, sums.audioCacheWrite, rates.cacheWrite, rates.audioCacheWrite) +
    priced(oneHour, sums.audioCacheWrite1h, rates.cacheWrite1h, rates.audioCacheWrite1h) +
    BigInt(sums.webSearches ?? 0) * rates.webSearch;
  return divideHalfEven(numerator, BigInt(rates.tokens));
}
