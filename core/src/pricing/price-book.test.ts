import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { calcPrice } from "@pydantic/genai-prices";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CallCost, UNPRICED } from "../llm-call.js";
import { createPriceBook } from "./price-book.js";
import { OCTOBER_2025, pricedCall } from "./testdata/calls.js";

const book = createPriceBook();
const at = new Date(OCTOBER_2025);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("genai-prices data", () => {
  it("names the installed genai-prices version", () => {
    const entry = createRequire(import.meta.url).resolve("@pydantic/genai-prices");
    const pkg = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8"));
    expect(book.version).toBe(`genai-prices@${pkg.version}`);
    expect(book.version).toBe("genai-prices@0.1.8");
  });

  it("never touches the network", () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    createPriceBook().price(
      pricedCall({ provider: "openai", responseModel: "gpt-4o", tokens: { input: 1 } }),
    );
    createPriceBook().price(pricedCall({ provider: "openai", responseModel: "no-such-model" }));
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe("OpenAI with cached input", () => {
  it("looks up gpt-4o's prices from a snapshot name", () => {
    expect(book.lookup({ provider: "openai", model: "gpt-4o-2024-08-06", at })).toEqual({
      provider: "openai",
      model: "gpt-4o",
      inputPerMillion: "2.500000000000",
      cacheReadPerMillion: "1.250000000000",
      outputPerMillion: "10.000000000000",
      webSearchPerThousand: "10.000000000000", // $10 per 1,000 web searches
      source: "genai-prices",
      version: "genai-prices@0.1.8",
    });
  });

  it("prices cached input at the cache-read price", () => {
    const call = pricedCall({
      provider: "openai",
      requestModel: "gpt-4o",
      responseModel: "gpt-4o-2024-08-06",
      tokens: { input: 2_000, cacheRead: 800, output: 500 },
    });
    expect(book.price(call)).toEqual({
      cost: {
        input: "0.003000000000", // 1200 uncached tokens * $2.50/M = $0.003
        cacheRead: "0.001000000000", // 800 cached tokens * $1.25/M = $0.001
        cacheWrite: "0.000000000000",
        output: "0.005000000000", // 500 * $10/M = $0.005
        total: "0.009000000000",
        source: "computed",
        priceVersion: "genai-prices@0.1.8",
      },
    });
  });

  it("uses responseModel before requestModel", () => {
    const call = pricedCall({
      provider: "openai",
      requestModel: "gpt-4o",
      responseModel: "gpt-4o-mini-2024-07-18",
      tokens: { input: 1_000_000, output: 1_000_000 },
    });
    expect(book.price(call).cost.total).toBe("0.750000000000"); // 1M * $0.15/M + 1M * $0.60/M (mini)
  });
});

describe("Anthropic with cache read and cache write", () => {
  const sonnet = { provider: "anthropic", responseModel: "claude-sonnet-4-5-20250929" };

  it("looks up Claude Sonnet 4.5 with its long-context tier", () => {
    expect(book.lookup({ provider: "anthropic", model: "claude-sonnet-4-5-20250929", at })).toEqual({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      inputPerMillion: "3.000000000000",
      outputPerMillion: "15.000000000000",
      cacheReadPerMillion: "0.300000000000",
      cacheWritePerMillion: "3.750000000000",
      cacheWrite1hPerMillion: "6.000000000000",
      // Not tiered: a search costs the same whatever the prompt's size.
      webSearchPerThousand: "10.000000000000",
      tiers: [
        {
          aboveInputTokens: 200_000,
          inputPerMillion: "6.000000000000",
          outputPerMillion: "22.500000000000",
          cacheReadPerMillion: "0.600000000000",
          cacheWritePerMillion: "7.500000000000",
          cacheWrite1hPerMillion: "12.000000000000",
        },
      ],
      source: "genai-prices",
      version: "genai-prices@0.1.8",
    });
  });

  it("prices cache reads and writes at their own prices", () => {
    const call = pricedCall({
      ...sonnet,
      tokens: { input: 10_000, cacheRead: 6_000, cacheWrite: 3_000, output: 1_000 },
    });
    expect(book.price(call).cost).toEqual({
      input: "0.003000000000", // (10000 - 6000 - 3000) = 1000 uncached * $3/M
      cacheRead: "0.001800000000", // 6000 * $0.30/M
      cacheWrite: "0.011250000000", // 3000 * $3.75/M
      output: "0.015000000000", // 1000 * $15/M
      total: "0.031050000000",
      source: "computed",
      priceVersion: "genai-prices@0.1.8",
    });
  });

  it("prices writes to the one-hour cache at twice the input price, the five-minute ones at 1.25 times", () => {
    const call = pricedCall({
      ...sonnet,
      tokens: { input: 10_000, cacheWrite: 3_000, cacheWrite1h: 2_000, output: 1_000 },
    });
    expect(book.price(call).cost).toEqual({
      input: "0.021000000000", // 7000 uncached * $3/M
      cacheRead: "0.000000000000",
      cacheWrite: "0.015750000000", // 1000 * $3.75/M + 2000 * $6/M
      output: "0.015000000000",
      total: "0.051750000000",
      source: "computed",
      priceVersion: "genai-prices@0.1.8",
    });
  });

  it("prices a prompt above 200k tokens at the long-context tier", () => {
    const call = pricedCall({ ...sonnet, tokens: { input: 250_000, output: 1_000 } });
    expect(book.price(call).cost).toEqual({
      input: "1.500000000000", // 250000 * $6/M (whole prompt > 200k)
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.022500000000", // 1000 * $22.50/M
      total: "1.522500000000",
      source: "computed",
      priceVersion: "genai-prices@0.1.8",
    });
  });

  it("infers the provider from the model name when the call has none", () => {
    const call = pricedCall({ ...sonnet, provider: "", tokens: { input: 1_000 } });
    expect(book.price(call).cost.total).toBe("0.003000000000"); // 1000 * $3/M
  });
});

describe("a reasoning model", () => {
  it("does not price o4-mini's reasoning tokens twice", () => {
    const call = pricedCall({
      provider: "openai",
      responseModel: "o4-mini-2025-04-16",
      tokens: { input: 1_000, output: 3_000, reasoning: 2_500 },
    });
    expect(book.price(call).cost).toEqual({
      input: "0.001100000000", // 1000 * $1.10/M
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.013200000000", // 3000 output (2500 of them reasoning) * $4.40/M
      total: "0.014300000000",
      source: "computed",
      priceVersion: "genai-prices@0.1.8",
    });
  });
});

describe("a model with a fee per request", () => {
  it("adds Perplexity's per-request price to the input part, as genai-prices does to its total", () => {
    const call = pricedCall({
      provider: "perplexity",
      responseModel: "sonar",
      tokens: { input: 200, output: 300 },
    });
    const expected = calcPrice({ input_tokens: 200, output_tokens: 300 }, "sonar", {
      providerId: "perplexity",
      timestamp: new Date(OCTOBER_2025),
    })!.total_price;
    expect(book.price(call).cost).toEqual({
      input: "0.012200000000", // 200 * $1/M, and $12 per 1000 requests for this one
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "0.000300000000", // 300 * $1/M
      total: "0.012500000000",
      source: "computed",
      priceVersion: "genai-prices@0.1.8",
    });
    const { tokens, ...rest } = call;
    const fast = book.totalUsd({ ...rest, atMs: Number(call.startTimeUnixNano / 1_000_000n), tokens });
    expect([fast, expected]).toEqual([0.0125, 0.0125]);
  });
});

describe("price at the span's timestamp", () => {
  const tokens = { input: 1_000_000, output: 1_000_000 };

  it("prices o3 before and after its 2025-06-10 price cut", () => {
    const before = pricedCall({
      provider: "openai",
      responseModel: "o3",
      tokens,
      at: "2025-06-09T23:59:59Z",
    });
    const after = pricedCall({ provider: "openai", responseModel: "o3", tokens, at: "2025-06-10T00:00:00Z" });
    expect(book.price(before).cost.total).toBe("50.000000000000"); // 1M * $10/M + 1M * $40/M
    expect(book.price(after).cost.total).toBe("10.000000000000"); // 1M * $2/M + 1M * $8/M
    const june = new Date("2025-06-01T00:00:00Z");
    expect(book.lookup({ provider: "openai", model: "o3", at: june })).toEqual({
      provider: "openai",
      model: "o3",
      inputPerMillion: "10.000000000000",
      cacheReadPerMillion: "0.500000000000",
      outputPerMillion: "40.000000000000",
      webSearchPerThousand: "10.000000000000",
      source: "genai-prices",
      version: "genai-prices@0.1.8",
    });
  });
});

describe("providers", () => {
  it("maps OpenTelemetry provider names to genai-prices ids", () => {
    expect(book.lookup({ provider: "gcp.vertex_ai", model: "gemini-2.5-flash", at })).toEqual({
      provider: "google",
      model: "gemini-2.5-flash",
      inputPerMillion: "0.300000000000",
      outputPerMillion: "2.500000000000",
      cacheReadPerMillion: "0.030000000000",
      audioInputPerMillion: "1.000000000000",
      source: "genai-prices",
      version: "genai-prices@0.1.8",
    });
    // Not "openai": genai-prices would read "azure.ai.openai" as OpenAI, but Azure has its own prices.
    expect(book.lookup({ provider: "azure.ai.openai", model: "gpt-4o-2024-08-06", at })).toEqual({
      provider: "azure",
      model: "gpt-4o",
      inputPerMillion: "2.500000000000",
      cacheReadPerMillion: "1.250000000000",
      outputPerMillion: "10.000000000000",
      webSearchPerThousand: "10.000000000000", // $10 per 1,000 web searches
      source: "genai-prices",
      version: "genai-prices@0.1.8",
    });
    // genai-prices has no cache prices for Bedrock's Claude 3 Haiku, so lookup shows none.
    expect(
      book.lookup({ provider: "aws.bedrock", model: "anthropic.claude-3-haiku-20240307-v1:0", at }),
    ).toEqual({
      provider: "aws",
      model: "regional.anthropic.claude-3-haiku-20240307-v1:0",
      inputPerMillion: "0.250000000000",
      outputPerMillion: "1.250000000000",
      source: "genai-prices",
      version: "genai-prices@0.1.8",
    });
  });
});

describe("provider names that are also Object.prototype members", () => {
  it.each(["constructor", "__proto__"])(
    "prices a call from a provider named %j from its model, as for any unknown provider",
    (provider) => {
      const call = pricedCall({
        provider,
        responseModel: "gpt-4o-2024-08-06",
        tokens: { input: 2_000, cacheRead: 800, output: 500 },
      });
      expect(book.price(call)).toEqual({
        cost: {
          input: "0.003000000000", // 1200 uncached tokens * $2.50/M
          cacheRead: "0.001000000000", // 800 cached tokens * $1.25/M
          cacheWrite: "0.000000000000",
          output: "0.005000000000", // 500 * $10/M
          total: "0.009000000000",
          source: "computed",
          priceVersion: "genai-prices@0.1.8",
        },
      });
    },
  );
});

describe("misses and provider costs", () => {
  it("returns UNPRICED and reports the miss for an unknown model, never $0", () => {
    const call = pricedCall({ provider: "openai", requestModel: "gpt-4o", responseModel: "acme-llama-70b" });
    // The response model is unknown but the request model is not: it prices as gpt-4o.
    expect(book.price(call).cost.source).toBe("computed");
    const unknown = pricedCall({
      provider: "self-hosted",
      requestModel: "acme-llama-70b",
      tokens: { input: 5 },
    });
    expect(book.price(unknown)).toEqual({
      cost: UNPRICED,
      miss: { provider: "self-hosted", model: "acme-llama-70b" },
    });
    expect(book.price(pricedCall({ provider: "openai" }))).toEqual({
      cost: UNPRICED,
      miss: { provider: "openai", model: "" },
    });
    expect(book.lookup({ provider: "openai", model: "acme-llama-70b", at })).toBeUndefined();
  });

  it("returns a provider-reported cost unchanged", () => {
    const reported: CallCost = {
      input: "0",
      output: "0",
      cacheRead: "0",
      cacheWrite: "0",
      total: "0.0123",
      source: "provider",
      priceVersion: "provider",
    };
    const call = pricedCall({
      provider: "openai",
      responseModel: "gpt-4o",
      tokens: { input: 1_000 },
      cost: reported,
    });
    expect(book.price(call)).toEqual({ cost: reported });
    expect(book.price(call).cost).toBe(reported);
  });
});

describe("totalUsd", () => {
  it.each([
    ["openai", "gpt-4o-mini", "", { input: 42, output: 8 }],
    ["openai", "gpt-4o-2024-08-06", "", { input: 2_000, cacheRead: 800, output: 500 }],
    ["openai", "gpt-4o", "flex", { input: 2_000, cacheRead: 800, output: 500 }],
    ["openai", "o4-mini", "", { input: 1_000, output: 3_000, reasoning: 2_500 }],
    [
      "anthropic",
      "claude-sonnet-4-5-20250929",
      "",
      { input: 10_000, cacheRead: 6_000, cacheWrite: 3_000, output: 1_000 },
    ],
    ["anthropic", "claude-sonnet-4-5-20250929", "", { input: 250_000, cacheRead: 50_000, output: 1_000 }],
    ["google", "gemini-2.5-pro", "", { input: 300_000, cacheRead: 100_000, output: 2_000 }],
    ["openai", "gpt-4o-mini", "", { input: 12.5, output: 3 }],
  ])("%s %s %s: the number price() gives as a decimal", (provider, model, serviceTier, tokens) => {
    const call = pricedCall({ provider, responseModel: model, serviceTier, tokens });
    const total = book.totalUsd({ ...call, atMs: Date.parse(OCTOBER_2025) });
    expect(total).toBe(Number(book.price(call).cost.total));
    expect(total).toBeGreaterThan(0);
  });

  it("is undefined for a model with no price", () => {
    const call = pricedCall({ provider: "openai", responseModel: "no-such-model", tokens: { input: 5 } });
    expect(book.totalUsd({ ...call, atMs: Date.parse(OCTOBER_2025) })).toBeUndefined();
  });
});

describe("agreement with genai-prices' own float calculation", () => {
  it.each([
    ["openai", "gpt-4o-2024-08-06", { input: 2_000, cacheRead: 800, output: 500 }],
    [
      "anthropic",
      "claude-sonnet-4-5-20250929",
      { input: 10_000, cacheRead: 6_000, cacheWrite: 3_000, output: 1_000 },
    ],
    ["anthropic", "claude-sonnet-4-5-20250929", { input: 250_000, cacheRead: 50_000, output: 1_000 }],
    ["google", "gemini-2.5-pro", { input: 300_000, cacheRead: 100_000, output: 2_000 }],
  ])("%s %s", (provider, model, tokens) => {
    const ours = book.price(pricedCall({ provider, responseModel: model, tokens }));
    const usage = {
      input_tokens: tokens.input,
      cache_read_tokens: tokens.cacheRead,
      cache_write_tokens: "cacheWrite" in tokens ? tokens.cacheWrite : 0,
      output_tokens: tokens.output,
    };
    const theirs = calcPrice(usage, model, { providerId: provider, timestamp: at });
    expect(Number(ours.cost.total)).toBeCloseTo(theirs?.total_price ?? Number.NaN, 9);
  });
});
