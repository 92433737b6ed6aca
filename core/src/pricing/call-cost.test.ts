import { describe, expect, it } from "vitest";
import type { TokenUsage } from "../llm-call.js";
import { priceTokens, totalUsd, wholeRates } from "./call-cost.js";
import { parseUsd } from "./money.js";
import { flatRate, type RateCard, rateAt, tierStarts } from "./rate-card.js";

const usd = (text: string) => parseUsd(text);
const tokens = (t: Partial<TokenUsage>): TokenUsage => ({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  reasoning: 0,
  ...t,
});

/** $2/M input, $0.20/M cache read, $2.50/M cache write, $8/M output. */
const card: RateCard = {
  input: flatRate(usd("2")),
  output: flatRate(usd("8")),
  cacheRead: flatRate(usd("0.2")),
  cacheWrite: flatRate(usd("2.5")),
};

describe("priceTokens", () => {
  it("splits the prompt into uncached, cache-read and cache-write tokens", () => {
    const cost = priceTokens(
      tokens({ input: 10_000, cacheRead: 6_000, cacheWrite: 1_000, output: 500 }),
      card,
      "v1",
    );
    expect(cost).toEqual({
      input: "0.006000000000", // (10000 - 6000 - 1000) = 3000 uncached * $2/M = $0.006
      cacheRead: "0.001200000000", // 6000 * $0.20/M = $0.0012
      cacheWrite: "0.002500000000", // 1000 * $2.50/M = $0.0025
      output: "0.004000000000", // 500 * $8/M = $0.004
      total: "0.013700000000", // 0.006 + 0.0012 + 0.0025 + 0.004
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("prices reasoning once, inside output", () => {
    const cost = priceTokens(tokens({ input: 100, output: 1_000, reasoning: 900 }), card, "v1");
    expect(cost).toEqual({
      input: "0.000200000000", // 100 * $2/M
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.008000000000", // 1000 (of which 900 reasoning) * $8/M; not 1900 * $8/M
      total: "0.008200000000",
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("falls back to the input price when a model has no cache prices", () => {
    const noCache: RateCard = { input: flatRate(usd("2")), output: flatRate(usd("8")) };
    const cost = priceTokens(
      tokens({ input: 1_000, cacheRead: 300, cacheWrite: 200, output: 0 }),
      noCache,
      "v1",
    );
    expect(cost).toEqual({
      input: "0.001000000000", // 500 uncached * $2/M
      cacheRead: "0.000600000000", // 300 * $2/M (input price)
      cacheWrite: "0.000400000000", // 200 * $2/M (input price)
      output: "0.000000000000",
      total: "0.002000000000", // the whole 1000-token prompt at $2/M
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("never prices uncached input below zero when cache counts exceed the prompt", () => {
    const cost = priceTokens(tokens({ input: 100, cacheRead: 150 }), card, "v1");
    expect(cost).toEqual({
      input: "0.000000000000", // max(0, 100 - 150) = 0
      cacheRead: "0.000030000000", // 150 * $0.20/M
      cacheWrite: "0.000000000000",
      output: "0.000000000000",
      total: "0.000030000000",
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("treats negative and NaN counts as zero", () => {
    const cost = priceTokens(tokens({ input: -5, output: Number.NaN }), card, "v1");
    expect(cost.total).toBe("0.000000000000");
  });

  it("scales every part by a ratio, rounding each part once", () => {
    const half = { numerator: 1n, denominator: 2n };
    const cost = priceTokens(tokens({ input: 3, cacheRead: 1, output: 1 }), card, "v1", half);
    expect(cost).toEqual({
      input: "0.000002000000", // 2 uncached * $2/M / 2
      cacheRead: "0.000000100000", // 1 * $0.20/M / 2
      cacheWrite: "0.000000000000",
      output: "0.000004000000", // 1 * $8/M / 2
      total: "0.000006100000",
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("uses the tier the whole prompt falls in for every token kind", () => {
    const tiered: RateCard = {
      input: { base: usd("3"), tiers: [{ start: 200_000, perMillion: usd("6") }] },
      output: { base: usd("15"), tiers: [{ start: 200_000, perMillion: usd("22.5") }] },
      cacheRead: { base: usd("0.3"), tiers: [{ start: 200_000, perMillion: usd("0.6") }] },
    };
    // 200,000 tokens is not above the 200k start: base prices.
    expect(priceTokens(tokens({ input: 200_000, output: 1_000 }), tiered, "v1").total).toBe(
      "0.615000000000", // 200000 * $3/M + 1000 * $15/M = 0.6 + 0.015
    );
    // 200,001 tokens, 100,000 of them cache reads: every kind at the >200k prices.
    expect(priceTokens(tokens({ input: 200_001, cacheRead: 100_000, output: 1_000 }), tiered, "v1")).toEqual({
      input: "0.600006000000", // 100001 * $6/M
      cacheRead: "0.060000000000", // 100000 * $0.60/M
      cacheWrite: "0.000000000000",
      output: "0.022500000000", // 1000 * $22.50/M
      total: "0.682506000000",
      source: "computed",
      priceVersion: "v1",
    });
  });
});

describe("one-hour cache writes", () => {
  /** Anthropic's shape: five-minute writes at 1.25x input, one-hour writes at 2x. */
  const anthropicLike: RateCard = { ...card, cacheWrite1h: flatRate(usd("4")) };

  it("prices the one-hour part of the cache writes at its own price and the rest at the five-minute price", () => {
    const cost = priceTokens(
      tokens({ input: 10_000, cacheWrite: 3_000, cacheWrite1h: 1_000, output: 500 }),
      anthropicLike,
      "v1",
    );
    expect(cost).toEqual({
      input: "0.014000000000", // 7000 uncached * $2/M
      cacheRead: "0.000000000000",
      cacheWrite: "0.009000000000", // 2000 * $2.50/M + 1000 * $4/M
      output: "0.004000000000",
      total: "0.027000000000",
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("charges one-hour writes the cache-write price on a card without a one-hour price, and never more one-hour tokens than writes", () => {
    const plain = priceTokens(tokens({ input: 1_000, cacheWrite: 1_000, cacheWrite1h: 1_000 }), card, "v1");
    const overstated = priceTokens(
      tokens({ input: 1_000, cacheWrite: 1_000, cacheWrite1h: 5_000 }),
      anthropicLike,
      "v1",
    );
    expect({ plain: plain.cacheWrite, overstated: overstated.cacheWrite }).toEqual({
      plain: "0.002500000000", // 1000 * $2.50/M
      overstated: "0.004000000000", // capped at the 1000 written, * $4/M
    });
  });
});

describe("wholeRates and totalUsd", () => {
  it("turns flat per-million prices into whole pico-dollars per token", () => {
    const priced = {
      audioInput: false,
      audioOutput: false,
      cacheRead: true,
      cacheWrite: true,
      cacheWrite1h: true,
    };
    expect(wholeRates(card)).toEqual({
      input: 2_000_000,
      output: 8_000_000,
      cacheRead: 200_000,
      cacheWrite: 2_500_000,
      // No one-hour price on the card: one-hour writes are at the cache-write price.
      cacheWrite1h: 2_500_000,
      // No audio prices: audio is at the text prices.
      audioInput: 2_000_000,
      audioOutput: 8_000_000,
      perRequest: 0,
      webSearch: 0,
      priced,
    });
    // Half price (a batch discount) still comes out whole.
    expect(wholeRates(card, { numerator: 1n, denominator: 2n })).toEqual({
      input: 1_000_000,
      output: 4_000_000,
      cacheRead: 100_000,
      cacheWrite: 1_250_000,
      cacheWrite1h: 1_250_000,
      audioInput: 1_000_000,
      audioOutput: 4_000_000,
      perRequest: 0,
      webSearch: 0,
      priced,
    });
  });

  it("has no whole rates for tiered prices or prices below a pico-dollar a token", () => {
    const tiered: RateCard = {
      ...card,
      input: { base: usd("2"), tiers: [{ start: 200_000, perMillion: usd("4") }] },
    };
    expect(wholeRates(tiered)).toBeUndefined();
    expect(wholeRates({ input: flatRate(usd("0.0000005")), output: flatRate(usd("1")) })).toBeUndefined();
    expect(wholeRates(card, { numerator: 1n, denominator: 3n })).toBeUndefined();
  });

  it("gives exactly Number(priceTokens(...).total)", () => {
    const rates = wholeRates(card)!;
    const oneHour = { ...card, cacheWrite1h: flatRate(usd("4")) };
    for (const t of [
      tokens({ input: 10_000, cacheWrite: 3_000, cacheWrite1h: 1_000, output: 10 }),
      tokens({ input: 10_000, cacheWrite: 3_000, cacheWrite1h: 9_000, output: 10 }),
    ]) {
      expect(totalUsd(t, wholeRates(oneHour)!)).toBe(Number(priceTokens(t, oneHour, "v").total));
    }
    for (const t of [
      tokens({ input: 42, output: 8 }),
      tokens({ input: 1_200, cacheRead: 1_000, output: 300, reasoning: 200 }),
      tokens({ input: 10_000, cacheRead: 6_000, cacheWrite: 3_000, output: 1_000 }),
      tokens({ input: 100, cacheRead: 80, cacheWrite: 50, output: 1 }),
      tokens({ input: 7, output: 3 }),
      tokens({ input: 123_456_789, output: 1 }),
      tokens({ input: Number.NaN, output: -5 }),
    ]) {
      expect(totalUsd(t, rates)).toBe(Number(priceTokens(t, card, "v").total));
    }
    expect(totalUsd(tokens({ input: 42, output: 8 }), rates)).toBe(0.000148); // 42 * $2/M + 8 * $8/M
  });

  it("declines fractional token counts and totals past the safe integer range", () => {
    const rates = wholeRates(card)!;
    expect(totalUsd(tokens({ input: 2.5 }), rates)).toBeUndefined();
    expect(totalUsd(tokens({ output: 2 ** 40 }), rates)).toBeUndefined();
  });
});

describe("rateAt and tierStarts", () => {
  it("picks the last tier whose start the prompt strictly exceeds", () => {
    const rate = {
      base: 1n,
      tiers: [
        { start: 100, perMillion: 2n },
        { start: 1_000, perMillion: 3n },
      ],
    };
    expect([0, 100, 101, 1_000, 1_001].map((n) => rateAt(rate, n))).toEqual([1n, 1n, 2n, 2n, 3n]);
    expect(tierStarts({ input: rate, output: { base: 1n, tiers: [{ start: 50, perMillion: 1n }] } })).toEqual(
      [50, 100, 1_000],
    );
  });
});
