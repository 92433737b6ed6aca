import { describe, expect, it } from "vitest";
import type { TokenUsage } from "../llm-call.js";
import { priceTokens, totalUsd, wholeRates } from "./call-cost.js";
import { parseUsd } from "./money.js";
import { flatRate, type RateCard } from "./rate-card.js";

const usd = (text: string) => parseUsd(text);
const tokens = (t: Partial<TokenUsage>): TokenUsage => ({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  reasoning: 0,
  ...t,
});
const HALF = { numerator: 1n, denominator: 2n };

/** gpt-audio's shape: $2.50/M text in, $10/M text out, $32/M audio in, $64/M audio out, no cache prices. */
const audioCard: RateCard = {
  input: flatRate(usd("2.5")),
  output: flatRate(usd("10")),
  audioInput: flatRate(usd("32")),
  audioOutput: flatRate(usd("64")),
};

/** gpt-realtime's shape: its own cache-read price, which cached audio is charged too. */
const cachedAudioCard: RateCard = { ...audioCard, cacheRead: flatRate(usd("0.4")) };

/** Claude Sonnet 4.5's shape: $3/M in, $15/M out, $10 per 1,000 web searches. */
const searchCard: RateCard = {
  input: flatRate(usd("3")),
  output: flatRate(usd("15")),
  cacheRead: flatRate(usd("0.3")),
  cacheWrite: flatRate(usd("3.75")),
  webSearch: usd("0.01"),
};

describe("audio tokens", () => {
  it("charges the audio part of input and output at the audio prices, in the input and output parts", () => {
    const cost = priceTokens(
      tokens({ input: 1_000, audioInput: 800, output: 500, audioOutput: 400 }),
      audioCard,
      "v1",
    );
    expect(cost).toEqual({
      input: "0.026100000000", // 200 text * $2.50/M + 800 audio * $32/M = 0.0005 + 0.0256
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.026600000000", // 100 text * $10/M + 400 audio * $64/M = 0.001 + 0.0256
      total: "0.052700000000",
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("charges audio at the text prices on a card without audio prices, as genai-prices does", () => {
    const textOnly: RateCard = { input: flatRate(usd("2.5")), output: flatRate(usd("10")) };
    const cost = priceTokens(
      tokens({ input: 1_000, audioInput: 800, output: 500, audioOutput: 400 }),
      textOnly,
      "v1",
    );
    expect(cost).toEqual({
      input: "0.002500000000", // 1000 * $2.50/M, audio included
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.005000000000", // 500 * $10/M, audio included
      total: "0.007500000000",
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("charges cached audio as audio when the card has no cache-read price of its own", () => {
    // 700 uncached, 300 read; 800 audio, so at least 100 of the reads were audio.
    const cost = priceTokens(tokens({ input: 1_000, cacheRead: 300, audioInput: 800 }), audioCard, "v1");
    expect(cost).toEqual({
      input: "0.025600000000", // 800 audio * $32/M (700 uncached + 100 read); 0 uncached text
      cacheRead: "0.000500000000", // the 200 text reads * $2.50/M, the input price
      cacheWrite: "0.000000000000",
      output: "0.000000000000",
      total: "0.026100000000", // = genai-prices: (1000 - 800) * $2.50/M + 800 * $32/M
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("keeps cached audio at the cache-read price when the card has one, and audio within the uncached prompt", () => {
    const cost = priceTokens(
      tokens({ input: 1_000, cacheRead: 300, audioInput: 800 }),
      cachedAudioCard,
      "v1",
    );
    expect(cost).toEqual({
      input: "0.022400000000", // 700 uncached, all audio * $32/M
      cacheRead: "0.000120000000", // 300 reads (100 of them audio) * $0.40/M
      cacheWrite: "0.000000000000",
      output: "0.000000000000",
      total: "0.022520000000",
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("never charges more audio than the prompt or the output held", () => {
    const cost = priceTokens(
      tokens({ input: 100, audioInput: 5_000, output: 10, audioOutput: 900 }),
      audioCard,
      "v1",
    );
    expect({ input: cost.input, output: cost.output }).toEqual({
      input: "0.003200000000", // capped at the 100 prompt tokens * $32/M
      output: "0.000640000000", // capped at the 10 output tokens * $64/M
    });
  });
});

describe("web searches", () => {
  it("adds the fee per search to the input part, whatever the tokens", () => {
    const cost = priceTokens(tokens({ input: 3, output: 1_000, webSearches: 5 }), searchCard, "v1");
    expect(cost).toEqual({
      input: "0.050009000000", // 3 * $3/M + 5 searches * $10/1000
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.015000000000", // 1000 * $15/M
      total: "0.065009000000",
      source: "computed",
      priceVersion: "v1",
    });
  });

  it("charges nothing for searches on a card without a search fee", () => {
    const { webSearch: _, ...noFee } = searchCard;
    expect(priceTokens(tokens({ input: 3, webSearches: 5 }), noFee, "v1").input).toBe("0.000009000000");
  });

  it("leaves the search fee out of a service tier's discount: tiers price tokens", () => {
    const cost = priceTokens(tokens({ input: 2, output: 10, webSearches: 2 }), searchCard, "v1", HALF);
    expect(cost).toEqual({
      input: "0.020003000000", // 2 * $3/M / 2 + 2 searches * $10/1000, not halved
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.000075000000", // 10 * $15/M / 2
      total: "0.020078000000",
      source: "computed",
      priceVersion: "v1",
    });
  });
});

describe("wholeRates and totalUsd with audio and searches", () => {
  it("carries the audio prices, the search fee and which cache parts have prices of their own", () => {
    expect(wholeRates(cachedAudioCard)).toEqual({
      input: 2_500_000,
      output: 10_000_000,
      cacheRead: 400_000,
      cacheWrite: 2_500_000, // no cache-write price: the input price
      cacheWrite1h: 2_500_000,
      audioInput: 32_000_000,
      audioOutput: 64_000_000,
      perRequest: 0,
      webSearch: 0,
      priced: {
        audioInput: true,
        audioOutput: true,
        cacheRead: true,
        cacheWrite: false,
        cacheWrite1h: false,
      },
    });
    expect(wholeRates(searchCard, HALF)).toMatchObject({ input: 1_500_000, webSearch: 10_000_000_000 });
  });

  it("gives exactly Number(priceTokens(...).total)", () => {
    const cases: [TokenUsage, RateCard][] = [
      [tokens({ input: 1_000, audioInput: 800, output: 500, audioOutput: 400 }), audioCard],
      [tokens({ input: 1_000, cacheRead: 300, audioInput: 800, output: 7 }), audioCard],
      [tokens({ input: 1_000, cacheRead: 300, audioInput: 800, output: 7 }), cachedAudioCard],
      [tokens({ input: 100, cacheWrite: 60, audioInput: 90, output: 1 }), audioCard],
      [tokens({ input: 100, audioInput: 5_000, output: 10, audioOutput: 900 }), audioCard],
      [tokens({ input: 1_000, audioInput: 800, output: 500, audioOutput: 400 }), searchCard],
      [tokens({ input: 3, output: 1_000, webSearches: 5 }), searchCard],
      [
        tokens({ input: 10_000, cacheRead: 6_000, cacheWrite: 3_000, output: 9, webSearches: 12 }),
        searchCard,
      ],
    ];
    for (const [t, card] of cases) {
      expect(totalUsd(t, wholeRates(card)!)).toBe(Number(priceTokens(t, card, "v").total));
    }
  });
});
