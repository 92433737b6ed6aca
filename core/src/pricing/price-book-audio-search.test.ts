import { calcPrice } from "@pydantic/genai-prices";
import { describe, expect, it } from "vitest";
import type { TokenUsage } from "../llm-call.js";
import { parsePriceOverrides } from "./overrides.js";
import { createPriceBook } from "./price-book.js";
import { OCTOBER_2025, pricedCall } from "./testdata/calls.js";

const book = createPriceBook();
const at = new Date(OCTOBER_2025);
const version = "genai-prices@0.1.8";
const sonnet = { provider: "anthropic", responseModel: "claude-sonnet-4-5-20250929" };

describe("OpenAI audio models", () => {
  it("looks up gpt-audio's audio prices", () => {
    expect(book.lookup({ provider: "openai", model: "gpt-audio-2025-08-28", at })).toEqual({
      provider: "openai",
      model: "gpt-audio",
      inputPerMillion: "2.500000000000",
      outputPerMillion: "10.000000000000",
      audioInputPerMillion: "32.000000000000",
      audioOutputPerMillion: "64.000000000000",
      source: "genai-prices",
      version,
    });
  });

  it("prices audio tokens at the audio prices, not as text", () => {
    const call = pricedCall({
      provider: "openai",
      responseModel: "gpt-audio",
      tokens: { input: 1_000, audioInput: 800, output: 500, audioOutput: 400 },
    });
    expect(book.price(call).cost).toEqual({
      input: "0.026100000000", // 200 text * $2.50/M + 800 audio * $32/M
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.026600000000", // 100 text * $10/M + 400 audio * $64/M
      total: "0.052700000000", // was 0.0075 with audio priced as text
      source: "computed",
      priceVersion: version,
    });
  });

  it("prices the audio of a model with no audio price as text (gpt-4o-audio-preview), as genai-prices does", () => {
    const call = pricedCall({
      provider: "openai",
      responseModel: "gpt-4o-audio-preview",
      tokens: { input: 1_000, audioInput: 800, output: 500, audioOutput: 400 },
    });
    expect(book.price(call).cost.total).toBe("0.007500000000"); // 1000 * $2.50/M + 500 * $10/M
  });
});

describe("web searches", () => {
  it("shows the fee per thousand searches in lookup", () => {
    expect(book.lookup({ provider: "openai", model: "gpt-4o", at })).toEqual({
      provider: "openai",
      model: "gpt-4o",
      inputPerMillion: "2.500000000000",
      cacheReadPerMillion: "1.250000000000",
      outputPerMillion: "10.000000000000",
      webSearchPerThousand: "10.000000000000",
      source: "genai-prices",
      version,
    });
  });

  it("charges Anthropic's $10 per 1,000 searches in the input part", () => {
    const call = pricedCall({ ...sonnet, tokens: { input: 3, output: 1_000, webSearches: 5 } });
    expect(book.price(call).cost).toEqual({
      input: "0.050009000000", // 3 * $3/M + 5 searches * $10/1000
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.015000000000", // 1000 * $15/M
      total: "0.065009000000", // was 0.015009 with the searches left out
      source: "computed",
      priceVersion: version,
    });
  });

  it("halves a batch's tokens but not its searches", () => {
    const call = pricedCall({
      ...sonnet,
      serviceTier: "batch",
      tokens: { input: 3_000, output: 1_000, webSearches: 2 },
    });
    expect(book.price(call).cost).toEqual({
      input: "0.024500000000", // 3000 * $3/M / 2 + 2 searches * $10/1000
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.007500000000", // 1000 * $15/M / 2
      total: "0.032000000000",
      source: "computed",
      priceVersion: version,
    });
  });

  it("keeps the search fee on OpenAI's published priority prices", () => {
    const call = pricedCall({
      provider: "openai",
      responseModel: "gpt-4o",
      serviceTier: "priority",
      tokens: { input: 1_000, output: 100, webSearches: 1 },
    });
    // 1000 * $4.25/M + 100 * $17/M + 1 search * $10/1000 = 0.00425 + 0.0017 + 0.01
    expect(book.price(call).cost.total).toBe("0.015950000000");
  });
});

describe("agreement with genai-prices' calcPrice", () => {
  /** genai-prices' usage keys for a TokenUsage. */
  const genaiUsage = (t: Partial<TokenUsage>) => ({
    input_tokens: t.input ?? 0,
    cache_read_tokens: t.cacheRead ?? 0,
    output_tokens: t.output ?? 0,
    input_audio_tokens: t.audioInput ?? 0,
    output_audio_tokens: t.audioOutput ?? 0,
    web_searches: t.webSearches ?? 0,
  });

  it.each([
    ["openai", "gpt-audio", { input: 1_000, audioInput: 800, output: 500, audioOutput: 400 }],
    ["openai", "gpt-audio-mini", { input: 1_000, audioInput: 800, output: 500, audioOutput: 400 }],
    // gpt-audio has no cache-read price: the audio among the reads is still audio.
    ["openai", "gpt-audio", { input: 1_000, cacheRead: 300, audioInput: 800, output: 10 }],
    ["openai", "gpt-4o-audio-preview", { input: 1_000, audioInput: 800, output: 500, audioOutput: 400 }],
    ["openai", "gpt-4o", { input: 2_000, cacheRead: 500, output: 300, webSearches: 3 }],
    ["anthropic", "claude-sonnet-4-5", { input: 3, output: 1_000, webSearches: 5 }],
    ["anthropic", "claude-sonnet-4-5", { input: 250_000, cacheRead: 50_000, output: 1_000, webSearches: 2 }],
  ])("%s %s %j", (provider, model, tokens) => {
    const call = pricedCall({ provider, responseModel: model, tokens });
    const ours = book.price(call).cost.total;
    const theirs = calcPrice(genaiUsage(tokens), model, { providerId: provider, timestamp: at });
    expect(Number(ours)).toBeCloseTo(theirs?.total_price ?? Number.NaN, 12);
    expect(book.totalUsd({ ...call, atMs: at.getTime() })).toBe(Number(ours));
  });
});

describe("price overrides with audio and search prices", () => {
  const overrides = parsePriceOverrides(
    {
      models: [
        {
          match: { exact: "acme-voice" },
          inputPerMillion: 1,
          outputPerMillion: 4,
          audioInputPerMillion: "20",
          audioOutputPerMillion: 40,
          webSearchPerThousand: 12.5,
          tiers: [{ aboveInputTokens: 100_000, inputPerMillion: 2, audioInputPerMillion: 30 }],
        },
      ],
    },
    "voice.yaml",
  );
  const overridden = createPriceBook({ overrides });

  it("shows them through lookup, audio at its tier too", () => {
    expect(overridden.lookup({ provider: "acme", model: "acme-voice", at })).toEqual({
      provider: "acme",
      model: "acme-voice",
      inputPerMillion: "1.000000000000",
      outputPerMillion: "4.000000000000",
      audioInputPerMillion: "20.000000000000",
      audioOutputPerMillion: "40.000000000000",
      webSearchPerThousand: "12.500000000000",
      tiers: [
        {
          aboveInputTokens: 100_000,
          inputPerMillion: "2.000000000000",
          outputPerMillion: "4.000000000000",
          audioInputPerMillion: "30.000000000000",
          audioOutputPerMillion: "40.000000000000",
        },
      ],
      source: "override",
      version: "override",
    });
  });

  it("prices audio and searches at them", () => {
    const call = pricedCall({
      provider: "acme",
      responseModel: "acme-voice",
      tokens: { input: 1_000, audioInput: 600, output: 100, audioOutput: 50, webSearches: 2 },
    });
    expect(overridden.price(call).cost).toEqual({
      input: "0.037400000000", // 400 * $1/M + 600 * $20/M + 2 * $12.50/1000
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.002200000000", // 50 * $4/M + 50 * $40/M
      total: "0.039600000000",
      source: "computed",
      priceVersion: "override",
    });
  });

  it("refuses a tier audio price for a model with no audio price, and a negative search fee", () => {
    const model = { match: { exact: "m" }, inputPerMillion: 1, outputPerMillion: 1 };
    const parse = (entry: object) => () =>
      parsePriceOverrides({ models: [{ ...model, ...entry }] }, "p.yaml");
    expect(parse({ tiers: [{ aboveInputTokens: 10, audioOutputPerMillion: 2 }] })).toThrow(
      "p.yaml: invalid price overrides: models[0].tiers[0].audioOutputPerMillion: " +
        "a tier can only raise a price the model has: give audioOutputPerMillion at the model's level too",
    );
    expect(parse({ webSearchPerThousand: -1 })).toThrow(
      "p.yaml: invalid price overrides: models[0].webSearchPerThousand: a price cannot be negative",
    );
  });
});
