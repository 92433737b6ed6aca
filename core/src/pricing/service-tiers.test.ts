import { describe, expect, it } from "vitest";
import type { CallCost } from "../llm-call.js";
import { parseUsd } from "./money.js";
import { createPriceBook } from "./price-book.js";
import { flatRate, type RateCard } from "./rate-card.js";
import { applyServiceTier } from "./service-tiers.js";
import { pricedCall } from "./testdata/calls.js";

const book = createPriceBook();

/** A computed cost from genai-prices data, parts in the order input, cacheRead, cacheWrite, output, total. */
function cost(input: string, cacheRead: string, cacheWrite: string, output: string, total: string): CallCost {
  return {
    input,
    cacheRead,
    cacheWrite,
    output,
    total,
    source: "computed",
    priceVersion: "genai-prices@0.1.8",
  };
}

const gpt4o = (serviceTier: string) =>
  pricedCall({
    provider: "openai",
    responseModel: "gpt-4o-2024-08-06",
    serviceTier,
    tokens: { input: 2_000, cacheRead: 800, output: 500 },
  });

const sonnet = (serviceTier: string) =>
  pricedCall({
    provider: "anthropic",
    responseModel: "claude-sonnet-4-5-20250929",
    serviceTier,
    tokens: { input: 10_000, cacheRead: 6_000, cacheWrite: 3_000, output: 1_000 },
  });

describe("batch", () => {
  it("halves every OpenAI token kind", () => {
    expect(book.price(gpt4o("batch")).cost).toEqual(
      cost(
        "0.001500000000", // 1200 uncached * $2.50/M / 2
        "0.000500000000", // 800 cached * $1.25/M / 2
        "0.000000000000",
        "0.002500000000", // 500 * $10/M / 2
        "0.004500000000", // half of the standard $0.009
      ),
    );
  });

  it("halves every Anthropic token kind, cache writes included", () => {
    expect(book.price(sonnet("batch")).cost).toEqual(
      cost(
        "0.001500000000", // 1000 uncached * $3/M / 2
        "0.000900000000", // 6000 * $0.30/M / 2
        "0.005625000000", // 3000 * $3.75/M / 2
        "0.007500000000", // 1000 * $15/M / 2
        "0.015525000000", // half of the standard $0.03105
      ),
    );
  });

  it("stays exact for a single batched token", () => {
    const call = pricedCall({
      provider: "openai",
      responseModel: "gpt-4o-mini",
      serviceTier: "batch",
      tokens: { input: 1, output: 1 },
    });
    expect(book.price(call).cost).toEqual(
      cost(
        "0.000000075000", // 1 * $0.15/M / 2 = 75,000 pico, exact
        "0.000000000000",
        "0.000000000000",
        "0.000000300000", // 1 * $0.60/M / 2
        "0.000000375000",
      ),
    );
  });
});

describe("flex", () => {
  it("is half the standard OpenAI price", () => {
    const call = pricedCall({
      provider: "openai",
      responseModel: "o3-2025-04-16",
      serviceTier: "flex",
      tokens: { input: 10_000, cacheRead: 4_000, output: 2_000, reasoning: 1_500 },
    });
    expect(book.price(call).cost).toEqual(
      cost(
        "0.006000000000", // 6000 uncached * $2/M / 2
        "0.001000000000", // 4000 * $0.50/M / 2
        "0.000000000000",
        "0.008000000000", // 2000 (reasoning inside) * $8/M / 2
        "0.015000000000",
      ),
    );
  });

  it("does not apply to Anthropic, which has no flex tier", () => {
    expect(book.price(sonnet("flex")).cost.total).toBe("0.031050000000"); // standard
  });
});

describe("priority", () => {
  it("uses OpenAI's published per-model priority prices", () => {
    expect(book.price(gpt4o("priority")).cost).toEqual(
      cost(
        "0.005100000000", // 1200 uncached * $4.25/M
        "0.001700000000", // 800 cached * $2.125/M
        "0.000000000000",
        "0.008500000000", // 500 * $17/M
        "0.015300000000",
      ),
    );
  });

  it('accepts "fast", OpenAI\'s newer name for priority', () => {
    expect(book.price(gpt4o("fast")).cost).toEqual(book.price(gpt4o("priority")).cost);
  });

  it("doubles the standard price of OpenAI models without a published figure here", () => {
    const call = pricedCall({
      provider: "openai",
      responseModel: "gpt-5-nano",
      serviceTier: "priority",
      tokens: { input: 10_000, cacheRead: 2_000, output: 1_000 },
    });
    expect(book.price(call).cost).toEqual(
      cost(
        "0.000800000000", // 8000 uncached * $0.05/M * 2
        "0.000020000000", // 2000 cached * $0.005/M * 2
        "0.000000000000",
        "0.000800000000", // 1000 * $0.40/M * 2
        "0.001620000000",
      ),
    );
  });

  it.each(["constructor", "__proto__"])(
    "doubles a model named %j, which has no published priority price",
    (model) => {
      const card: RateCard = { input: flatRate(parseUsd("2.50")), output: flatRate(parseUsd("10")) };
      expect(applyServiceTier(card, "priority", "openai", model)).toEqual({
        card,
        ratio: { numerator: 2n, denominator: 1n },
      });
    },
  );

  it("prices Anthropic's priority tier as standard (it is sold as committed capacity)", () => {
    expect(book.price(sonnet("priority")).cost.total).toBe("0.031050000000");
  });
});

describe("standard and unknown tiers", () => {
  it.each(["", "default", "auto", "standard", "standard_only", "scale", "on_demand"])(
    "%j prices as standard",
    (tier) => {
      expect(book.price(gpt4o(tier)).cost.total).toBe("0.009000000000"); // 0.003 + 0.001 + 0.005
    },
  );

  it("compares tier names case-insensitively", () => {
    expect(book.price(gpt4o(" Batch ")).cost.total).toBe("0.004500000000");
  });

  it("leaves other providers' batch at standard", () => {
    const call = pricedCall({
      provider: "gcp.vertex_ai",
      responseModel: "gemini-2.5-flash",
      serviceTier: "batch",
      tokens: { input: 1_000_000 },
    });
    expect(book.price(call).cost.total).toBe("0.300000000000"); // 1M * $0.30/M, no discount encoded
  });
});
