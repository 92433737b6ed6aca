import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { UNPRICED } from "../llm-call.js";
import { PriceOverridesError, parsePriceOverrides } from "./overrides.js";
import { createPriceBook } from "./price-book.js";
import { OCTOBER_2025, pricedCall } from "./testdata/calls.js";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8"));

const overrides = parsePriceOverrides(fixture("acme-prices.json"), "acme-prices.json");
const book = createPriceBook({ overrides });
const at = new Date(OCTOBER_2025);
const million = { input: 1_000_000, output: 1_000_000 };

describe("parsePriceOverrides", () => {
  it("accepts prices as numbers or decimal strings and keeps file order", () => {
    expect(overrides).toEqual({
      version: "acme-2026-11",
      models: [
        {
          match: { exact: "acme-llama-70b" },
          provider: "self-hosted",
          inputPerMillion: 0.5,
          outputPerMillion: 1.5,
          cacheReadPerMillion: 0.05,
          cacheWritePerMillion: "0.6",
        },
        {
          match: { prefix: "ft:gpt-4o-mini:acme" },
          inputPerMillion: "0.30",
          outputPerMillion: "1.20",
          cacheReadPerMillion: "0.15",
        },
        { match: { regex: "^llama-3.*-instruct$" }, inputPerMillion: 0.2, outputPerMillion: 0.2 },
        { match: { exact: "gpt-4o" }, provider: "openai", inputPerMillion: 2, outputPerMillion: 8 },
        { match: { prefix: "llama-3" }, inputPerMillion: 9, outputPerMillion: 9 },
      ],
    });
  });

  it("names the source and every bad field path", () => {
    expect(() => parsePriceOverrides(fixture("bad-prices.json"), "bad-prices.json")).toThrow(
      "bad-prices.json: invalid price overrides: " +
        "version: Too small: expected string to have >=1 characters; " +
        "models[0].outputPerMillion: required; " +
        "models[1].match.regex: Invalid regular expression: /(unclosed/: Unterminated group; " +
        'models[1].inputPerMillion: expected a decimal price, got "1.2.3"; ' +
        "models[1].outputPerMillion: a price cannot be negative; " +
        'models[1]: Unrecognized key: "inputPerMilion"; ' +
        "models[2].match: give exactly one of exact, prefix or regex",
    );
  });

  it("throws a typed error listing the problems", () => {
    let thrown: unknown;
    try {
      parsePriceOverrides(
        { models: [{ match: { prefix: "" }, inputPerMillion: 1, outputPerMillion: 1 }] },
        "p.json",
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PriceOverridesError);
    expect(thrown).toMatchObject({
      name: "PriceOverridesError",
      source: "p.json",
      problems: [
        { path: "models[0].match.prefix", message: "Too small: expected string to have >=1 characters" },
      ],
    });
  });

  it("reports a file that is not an object", () => {
    expect(() => parsePriceOverrides("models: []", "prices.yaml")).toThrow(
      "prices.yaml: invalid price overrides: (root): Invalid input: expected object, received string",
    );
    expect(() => parsePriceOverrides({}, "prices.yaml")).toThrow(
      "prices.yaml: invalid price overrides: models: Invalid input: expected array, received undefined",
    );
  });

  it("is re-checked by createPriceBook for overrides built in code", () => {
    const bad = { models: [{ match: { regex: "[" }, inputPerMillion: 1, outputPerMillion: 1 }] };
    expect(() => createPriceBook({ overrides: bad })).toThrow(
      "price book overrides: invalid price overrides: models[0].match.regex: Invalid regular expression",
    );
  });
});

describe("overrides in the price book", () => {
  it("prices an exact match with its provider, with cache prices", () => {
    const call = pricedCall({
      provider: "self-hosted",
      responseModel: "acme-llama-70b",
      tokens: { input: 10_000, cacheRead: 4_000, cacheWrite: 1_000, output: 2_000 },
    });
    expect(book.price(call)).toEqual({
      cost: {
        input: "0.002500000000", // (10000 - 4000 - 1000) = 5000 * $0.50/M
        cacheRead: "0.000200000000", // 4000 * $0.05/M
        cacheWrite: "0.000600000000", // 1000 * $0.60/M
        output: "0.003000000000", // 2000 * $1.50/M
        total: "0.006300000000",
        source: "computed",
        priceVersion: "override:acme-2026-11",
      },
    });
  });

  it("skips an override whose provider differs from the call's", () => {
    const call = pricedCall({ provider: "vllm", responseModel: "acme-llama-70b", tokens: million });
    expect(book.price(call)).toEqual({ cost: UNPRICED, miss: { provider: "vllm", model: "acme-llama-70b" } });
  });

  it("prices a prefix match without a provider", () => {
    const call = pricedCall({
      provider: "openai",
      responseModel: "ft:gpt-4o-mini:acme:support:abc123",
      tokens: million,
    });
    expect(book.price(call).cost).toEqual({
      input: "0.300000000000", // 1M * $0.30/M
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "1.200000000000", // 1M * $1.20/M
      total: "1.500000000000",
      source: "computed",
      priceVersion: "override:acme-2026-11",
    });
  });

  it("prices a regex match, and the first match in file order wins", () => {
    // "llama-3.1-8b-instruct" matches both the regex (3rd) and the "llama-3" prefix (5th): the regex wins.
    const instruct = pricedCall({ responseModel: "llama-3.1-8b-instruct", tokens: million });
    expect(book.price(instruct).cost.total).toBe("0.400000000000"); // 1M * $0.20/M + 1M * $0.20/M
    const base = pricedCall({ responseModel: "llama-3.1-8b", tokens: million });
    expect(book.price(base).cost.total).toBe("18.000000000000"); // 1M * $9/M + 1M * $9/M
  });

  it("wins over genai-prices", () => {
    const call = pricedCall({
      provider: "openai",
      responseModel: "gpt-4o",
      tokens: { ...million, cacheRead: 0 },
    });
    expect(book.price(call).cost.total).toBe("10.000000000000"); // 1M * $2/M + 1M * $8/M, not $2.50 + $10
    // The override names provider "openai", so an Azure call still prices from genai-prices.
    const azure = pricedCall({ provider: "azure.ai.openai", responseModel: "gpt-4o", tokens: million });
    expect(book.price(azure).cost).toEqual({
      input: "2.500000000000", // 1M * $2.50/M (Azure's gpt-4o price in genai-prices)
      cacheRead: "0.000000000000",
      cacheWrite: "0.000000000000",
      output: "10.000000000000", // 1M * $10/M
      total: "12.500000000000",
      source: "computed",
      priceVersion: "genai-prices@0.1.8",
    });
  });

  it("applies the call's service tier to override prices", () => {
    const call = pricedCall({
      provider: "openai",
      responseModel: "ft:gpt-4o-mini:acme:support:abc123",
      serviceTier: "batch",
      tokens: million,
    });
    expect(book.price(call).cost.total).toBe("0.750000000000"); // (1M * $0.30/M + 1M * $1.20/M) / 2
  });

  it("scales an override by the priority tier, instead of OpenAI's published priority price for the name", () => {
    const priority = (responseModel: string) =>
      book.price(
        pricedCall({
          provider: "openai",
          responseModel,
          serviceTier: "priority",
          tokens: { ...million, cacheRead: 0 },
        }),
      ).cost.total;
    // The override prices gpt-4o (exactly) at $2/$8, and priority doubles it. The dated name
    // matches no override, so it takes OpenAI's published priority price ($4.25/$17).
    expect([priority("gpt-4o"), priority("gpt-4o-2024-08-06")]).toEqual([
      "20.000000000000",
      "21.250000000000",
    ]);
  });

  it("shows override prices through lookup", () => {
    expect(book.lookup({ provider: "self-hosted", model: "acme-llama-70b", at })).toEqual({
      provider: "self-hosted",
      model: "acme-llama-70b",
      inputPerMillion: "0.500000000000",
      outputPerMillion: "1.500000000000",
      cacheReadPerMillion: "0.050000000000",
      cacheWritePerMillion: "0.600000000000",
      source: "override",
      version: "override:acme-2026-11",
    });
  });

  it("prices one-hour cache writes at an override's own one-hour price", () => {
    const custom = createPriceBook({
      overrides: {
        models: [
          {
            match: { exact: "acme-claude" },
            inputPerMillion: "2",
            outputPerMillion: "10",
            cacheWritePerMillion: "2.5",
            cacheWrite1hPerMillion: "4",
          },
        ],
      },
    });
    const call = pricedCall({
      responseModel: "acme-claude",
      tokens: { input: 3_000, cacheWrite: 3_000, cacheWrite1h: 1_000 },
    });
    expect({
      lookup: custom.lookup({ provider: "", model: "acme-claude", at }),
      cacheWrite: custom.price(call).cost.cacheWrite,
    }).toEqual({
      lookup: {
        provider: "",
        model: "acme-claude",
        inputPerMillion: "2.000000000000",
        outputPerMillion: "10.000000000000",
        cacheWritePerMillion: "2.500000000000",
        cacheWrite1hPerMillion: "4.000000000000",
        source: "override",
        version: "override",
      },
      cacheWrite: "0.009000000000", // 2000 * $2.50/M + 1000 * $4/M
    });
  });

  it("prices every token of a long prompt at its long-context tier, which genai-prices lacks for Claude Sonnet 4", () => {
    // Anthropic's published long-context prices for Sonnet 4 (prompts above 200k tokens).
    const sonnet4 = createPriceBook({
      overrides: {
        models: [
          {
            match: { prefix: "claude-sonnet-4-2" },
            provider: "anthropic",
            inputPerMillion: 3,
            outputPerMillion: 15,
            cacheReadPerMillion: 0.3,
            cacheWritePerMillion: 3.75,
            tiers: [
              {
                aboveInputTokens: 200_000,
                inputPerMillion: 6,
                outputPerMillion: 22.5,
                cacheReadPerMillion: 0.6,
              },
            ],
          },
        ],
      },
    });
    const call = (input: number, cacheRead: number, cacheWrite: number) =>
      sonnet4.price(
        pricedCall({
          provider: "anthropic",
          responseModel: "claude-sonnet-4-20250514",
          tokens: { input, cacheRead, cacheWrite, output: 1_000 },
        }),
      ).cost;
    expect({ short: call(150_000, 0, 0), long: call(250_000, 100_000, 10_000) }).toEqual({
      short: {
        input: "0.450000000000", // 150k * $3/M
        cacheRead: "0.000000000000",
        cacheWrite: "0.000000000000",
        output: "0.015000000000", // 1k * $15/M
        total: "0.465000000000",
        source: "computed",
        priceVersion: "override",
      },
      long: {
        input: "0.840000000000", // 140k uncached * $6/M
        cacheRead: "0.060000000000", // 100k * $0.60/M
        cacheWrite: "0.037500000000", // 10k at $3.75/M: the tier leaves cache writes as they were
        output: "0.022500000000", // 1k * $22.50/M
        total: "0.960000000000",
        source: "computed",
        priceVersion: "override",
      },
    });
  });

  it("refuses tiers out of order, or a tier price for a kind the model has no price for", () => {
    const model = { match: { exact: "m" }, inputPerMillion: 1, outputPerMillion: 2 };
    expect(() =>
      parsePriceOverrides(
        {
          models: [
            {
              ...model,
              tiers: [
                { aboveInputTokens: 200_000, inputPerMillion: 2 },
                { aboveInputTokens: 100_000, cacheReadPerMillion: 1 },
                { aboveInputTokens: 300_000 },
              ],
            },
          ],
        },
        "tiers.yaml",
      ),
    ).toThrow(
      "tiers.yaml: invalid price overrides: models[0].tiers[2]: give at least one price; " +
        "models[0].tiers[1].aboveInputTokens: tiers must be in ascending aboveInputTokens; " +
        "models[0].tiers[1].cacheReadPerMillion: a tier can only raise a price the model has: give cacheReadPerMillion at the model's level too",
    );
  });

  it('names unversioned override data "override"', () => {
    const plain = createPriceBook({
      overrides: { models: [{ match: { exact: "m" }, inputPerMillion: "1", outputPerMillion: "1" }] },
    });
    expect(plain.price(pricedCall({ responseModel: "m", tokens: { input: 1 } })).cost.priceVersion).toBe(
      "override",
    );
    expect(plain.version).toBe("genai-prices@0.1.8");
  });
});
