import { createPriceBook, type LlmCall, parseUsd, UNPRICED } from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { bucketRates, priceSums, tierStarts } from "./counterfactual.js";

const book = createPriceBook();
const at = new Date("2026-11-02T09:30:00Z");

describe("counterfactual pricing", () => {
  it("derives a target's rates from the price book, service tier included", () => {
    const standard = bucketRates(
      book,
      { provider: "openai", model: "gpt-4o", serviceTier: "" },
      at,
      0,
      undefined,
    );
    expect(standard).toEqual({
      tokens: 1_000_000,
      input: parseUsd("2.5"),
      output: parseUsd("10"),
      cacheRead: parseUsd("1.25"),
      cacheWrite: parseUsd("2.5"), // no published write price: billed as input
      cacheWrite1h: parseUsd("2.5"), // nor a one-hour one
      // No audio prices: audio is billed as the text of wherever it sat.
      audioInput: parseUsd("2.5"),
      audioCacheRead: parseUsd("1.25"),
      audioCacheWrite: parseUsd("2.5"),
      audioCacheWrite1h: parseUsd("2.5"),
      audioOutput: parseUsd("10"),
      webSearch: parseUsd("10000"), // a million searches at $10 per thousand
      priceVersion: "genai-prices@0.1.8",
    });
    const batch = bucketRates(
      book,
      { provider: "openai", model: "gpt-4o", serviceTier: "batch" },
      at,
      0,
      undefined,
    );
    // Batch halves the token prices, not the search fee.
    expect({ input: batch?.input, audioInput: batch?.audioInput, webSearch: batch?.webSearch }).toEqual({
      input: parseUsd("1.25"),
      audioInput: parseUsd("1.25"),
      webSearch: parseUsd("10000"),
    });
    expect(
      bucketRates(book, { provider: "openai", model: "nope-9000", serviceTier: "" }, at, 0, undefined),
    ).toBe(undefined);
  });

  it("takes Anthropic's one-hour cache-write price apart from the five-minute one, per tier", () => {
    const target = { provider: "anthropic", model: "claude-sonnet-4-5", serviceTier: "" };
    const small = bucketRates(book, target, at, 0, 200_000);
    const large = bucketRates(book, target, at, 200_000, undefined);
    // Each rate is the cost of the bucket's largest prompt: 200k tokens, then 1.2M.
    expect(small).toEqual({
      tokens: 200_000,
      input: parseUsd("0.6"), // $3/M
      output: parseUsd("3"), // $15/M
      cacheRead: parseUsd("0.06"), // $0.30/M
      cacheWrite: parseUsd("0.75"), // $3.75/M, 1.25x input
      cacheWrite1h: parseUsd("1.2"), // $6/M, 2x input
      audioInput: parseUsd("0.6"), // no audio prices: as the text of where it sat
      audioCacheRead: parseUsd("0.06"),
      audioCacheWrite: parseUsd("0.75"),
      audioCacheWrite1h: parseUsd("1.2"),
      audioOutput: parseUsd("3"),
      webSearch: parseUsd("2000"), // 200k searches at $10 per thousand
      priceVersion: "genai-prices@0.1.8",
    });
    expect({
      tokens: large?.tokens,
      cacheWrite: large?.cacheWrite,
      cacheWrite1h: large?.cacheWrite1h,
    }).toEqual({
      tokens: 1_200_000,
      cacheWrite: parseUsd("9"), // $7.50/M
      cacheWrite1h: parseUsd("14.4"), // $12/M
    });
    // 1000 five-minute writes at $3.75/M and 2000 one-hour ones at $6/M.
    expect(
      priceSums(small!, { uncached: 0, output: 0, cacheRead: 0, cacheWrite: 3_000, cacheWrite1h: 2_000 }),
    ).toBe(parseUsd("0.01575"));
  });

  it("takes an audio model's audio prices, which also cover audio in cache parts it has no price for", () => {
    const rates = bucketRates(
      book,
      { provider: "openai", model: "gpt-audio", serviceTier: "" },
      at,
      0,
      undefined,
    );
    expect(rates).toEqual({
      tokens: 1_000_000,
      input: parseUsd("2.5"),
      output: parseUsd("10"),
      cacheRead: parseUsd("2.5"), // no cache prices: billed as input
      cacheWrite: parseUsd("2.5"),
      cacheWrite1h: parseUsd("2.5"),
      audioInput: parseUsd("32"),
      // Cached audio with no cache price of its own is billed as the prompt, so as audio.
      audioCacheRead: parseUsd("32"),
      audioCacheWrite: parseUsd("32"),
      audioCacheWrite1h: parseUsd("32"),
      audioOutput: parseUsd("64"),
      webSearch: 0n, // no search fee
      priceVersion: "genai-prices@0.1.8",
    });
    // 500 text in * $2.50/M + 1500 audio in * $32/M + 200 text out * $10/M + 800 audio out * $64/M
    expect(
      priceSums(rates!, {
        uncached: 2_000,
        audioInput: 1_500,
        output: 1_000,
        audioOutput: 800,
        cacheRead: 0,
        cacheWrite: 0,
      }),
    ).toBe(parseUsd("0.10245"));
  });

  it("charges each web search the target's fee", () => {
    const target = { provider: "anthropic", model: "claude-sonnet-4-5", serviceTier: "" };
    const rates = bucketRates(book, target, at, 0, 200_000)!;
    // 2000 * $3/M + 300 * $15/M + 5 searches * $10/1000 = 0.006 + 0.0045 + 0.05
    expect(
      priceSums(rates, { uncached: 2_000, output: 300, cacheRead: 0, cacheWrite: 0, webSearches: 5 }),
    ).toBe(parseUsd("0.0605"));
  });

  it("prices token sums exactly as pricing each call would, per long-context tier", () => {
    const target = { provider: "anthropic", model: "claude-sonnet-4-5", serviceTier: "" };
    expect(tierStarts(book, target, at)).toEqual([200_000]);
    const calls = [
      { input: 37_000, cacheRead: 30_000, cacheWrite: 5_000, cacheWrite1h: 0, output: 800 },
      { input: 8_000, cacheRead: 0, cacheWrite: 3_000, cacheWrite1h: 2_000, output: 300 },
      { input: 250_000, cacheRead: 0, cacheWrite: 40_000, cacheWrite1h: 10_001, output: 1_000 },
    ];
    const one = (t: (typeof calls)[number]) =>
      parseUsd(
        book.price({
          provider: target.provider,
          requestModel: target.model,
          responseModel: "",
          serviceTier: "",
          startTimeUnixNano: BigInt(at.getTime()) * 1_000_000n,
          cost: UNPRICED,
          tokens: { ...t, reasoning: 0 },
        } satisfies Pick<
          LlmCall,
          | "provider"
          | "requestModel"
          | "responseModel"
          | "serviceTier"
          | "startTimeUnixNano"
          | "cost"
          | "tokens"
        >).cost.total,
      );
    const sums = (list: typeof calls) => ({
      uncached: list.reduce((n, t) => n + t.input - t.cacheRead - t.cacheWrite, 0),
      output: list.reduce((n, t) => n + t.output, 0),
      cacheRead: list.reduce((n, t) => n + t.cacheRead, 0),
      cacheWrite: list.reduce((n, t) => n + t.cacheWrite, 0),
      cacheWrite1h: list.reduce((n, t) => n + t.cacheWrite1h, 0),
    });
    const small = bucketRates(book, target, at, 0, 200_000)!;
    const large = bucketRates(book, target, at, 200_000, undefined)!;
    expect(priceSums(small, sums(calls.slice(0, 2)))).toBe(one(calls[0]!) + one(calls[1]!));
    expect(priceSums(large, sums(calls.slice(2)))).toBe(one(calls[2]!));
  });
});
