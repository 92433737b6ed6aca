import { describe, expect, it } from "vitest";
import { refused } from "./support/api-errors.js";
import { useQueryApi } from "./support/query-api-harness.js";
import { EVIL, KEYS, T } from "./support/query-api-seed.js";

const api = useQueryApi();
const read = KEYS.acmeRead.key;
const RANGE = "from=2026-11-01&to=2026-11-05";
const ZERO = "0.000000000000";

describe("GET /v1/prices", () => {
  it("shows the price-book entry in use, with tiers, source and version", async () => {
    const res = await api.call(
      "GET",
      "/v1/prices?model=claude-sonnet-4-5&provider=anthropic&at=2026-11-02",
      read,
    );
    expect(res.body).toEqual({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      inputPerMillion: "3.000000000000",
      outputPerMillion: "15.000000000000",
      cacheReadPerMillion: "0.300000000000",
      cacheWritePerMillion: "3.750000000000",
      cacheWrite1hPerMillion: "6.000000000000",
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
      webSearchPerThousand: "10.000000000000",
      source: "genai-prices",
      version: "genai-prices@0.1.8",
      at: "2026-11-02T00:00:00.000Z",
    });
  });

  it("shows an audio model's audio prices apart from its text prices", async () => {
    const res = await api.call("GET", "/v1/prices?model=gpt-audio&provider=openai&at=2026-11-02", read);
    expect(res.body).toEqual({
      provider: "openai",
      model: "gpt-audio",
      inputPerMillion: "2.500000000000",
      outputPerMillion: "10.000000000000",
      cacheReadPerMillion: null,
      cacheWritePerMillion: null,
      audioInputPerMillion: "32.000000000000",
      audioOutputPerMillion: "64.000000000000",
      tiers: [],
      source: "genai-prices",
      version: "genai-prices@0.1.8",
      at: "2026-11-02T00:00:00.000Z",
    });
  });

  it("leaves out the one-hour cache-write and audio prices of a model that has none apart", async () => {
    const res = await api.call("GET", "/v1/prices?model=gpt-4o&provider=openai&at=2026-11-02", read);
    expect(res.body).toEqual({
      provider: "openai",
      model: "gpt-4o",
      inputPerMillion: "2.500000000000",
      outputPerMillion: "10.000000000000",
      cacheReadPerMillion: "1.250000000000",
      cacheWritePerMillion: null,
      tiers: [],
      webSearchPerThousand: "10.000000000000", // OpenAI's web search tool
      source: "genai-prices",
      version: "genai-prices@0.1.8",
      at: "2026-11-02T00:00:00.000Z",
    });
  });

  it("answers 404 for a model with no price, and 400 without a model", async () => {
    expect(await api.call("GET", "/v1/prices?model=mystery-model-9000&provider=openai", read)).toMatchObject({
      status: 404,
      body: {
        error: "no price for model mystery-model-9000 from openai; calls to it are stored as unpriced",
      },
    });
    expect(await api.call("GET", "/v1/prices", read)).toMatchObject({
      status: 400,
      body: {
        issues: [{ location: "query", path: "model", message: "required" }],
      },
    });
  });
});

describe("price instants", () => {
  it("refuse an impossible date instead of rolling it over", async () => {
    expect(await api.call("GET", "/v1/prices?model=gpt-4o&at=2025-02-31", read)).toMatchObject(
      refused("query", [{ path: "at", message: "is not a real date: February 2025 has 28 days" }]),
    );
    expect(
      await api.call("POST", "/v1/prices/quote", read, {
        model: "gpt-4o",
        at: "2025-04-31T10:00:00Z",
        usage: { inputTokens: 10, outputTokens: 1 },
      }),
    ).toMatchObject(refused("body", [{ path: "at", message: "is not a real date: April 2025 has 30 days" }]));
  });
});

describe("POST /v1/prices/quote", () => {
  it("prices a usage exactly as the collector would, service tier included", async () => {
    const res = await api.call("POST", "/v1/prices/quote", read, {
      provider: "openai",
      model: "gpt-4o",
      serviceTier: "batch",
      at: "2026-11-02T09:30:00Z",
      usage: { inputTokens: 12_000, cacheReadTokens: 10_240, outputTokens: 500 },
    });
    expect(res.body).toEqual({
      model: "gpt-4o",
      provider: "openai",
      serviceTier: "batch",
      at: "2026-11-02T09:30:00.000Z",
      priced: true,
      cost: {
        inputUsd: "0.002200000000", // 1760 * $2.50/M * 50%
        outputUsd: "0.002500000000", // 500 * $10/M * 50%
        cacheReadUsd: "0.006400000000", // 10240 * $1.25/M * 50%
        cacheWriteUsd: ZERO,
        totalUsd: "0.011100000000",
        priceVersion: "genai-prices@0.1.8",
      },
    });
  });

  it("says unpriced rather than $0 for an unknown model, and names a bad field", async () => {
    const res = await api.call("POST", "/v1/prices/quote", read, {
      model: "mystery-model-9000",
      at: "2026-11-02",
      usage: { inputTokens: 10, outputTokens: 1 },
    });
    expect(res.body).toEqual({
      model: "mystery-model-9000",
      provider: "",
      serviceTier: "",
      at: "2026-11-02T00:00:00.000Z",
      priced: false,
      cost: null,
    });
    expect(
      await api.call("POST", "/v1/prices/quote", read, {
        model: "gpt-4o",
        usage: { inputTokens: -1, outputTokens: 1.5 },
      }),
    ).toMatchObject({
      status: 400,
      body: {
        issues: [
          { location: "body", path: "usage.inputTokens", message: "Too small: expected number to be >=0" },
          {
            location: "body",
            path: "usage.outputTokens",
            message: "Invalid input: expected int, received number",
          },
        ],
      },
    });
  });
});

describe("POST /v1/prices/quote usage", () => {
  const quote = (usage: Record<string, number>) =>
    api.call("POST", "/v1/prices/quote", read, { model: "gpt-4o", at: "2026-11-02", usage });

  it("refuses cached or audio parts larger than the whole prompt, and reasoning or audio larger than the output", async () => {
    expect(await quote({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 1_000_000 })).toMatchObject(
      refused("body", [
        {
          path: "usage.inputTokens",
          message:
            "must count the whole prompt, cached parts included, so at least cacheReadTokens + cacheWriteTokens (1000000)",
        },
      ]),
    );
    expect(
      await quote({ inputTokens: 1_000, outputTokens: 10, cacheReadTokens: 600, cacheWriteTokens: 401 }),
    ).toMatchObject(
      refused("body", [
        {
          path: "usage.inputTokens",
          message:
            "must count the whole prompt, cached parts included, so at least cacheReadTokens + cacheWriteTokens (1001)",
        },
      ]),
    );
    expect(
      await quote({ inputTokens: 1_000, outputTokens: 10, cacheWriteTokens: 400, cacheWrite1hTokens: 401 }),
    ).toMatchObject(
      refused("body", [
        {
          path: "usage.cacheWriteTokens",
          message:
            "must count every cache write, one-hour ones included, so at least cacheWrite1hTokens (401)",
        },
      ]),
    );
    expect(await quote({ inputTokens: 1_000, outputTokens: 10, audioInputTokens: 1_001 })).toMatchObject(
      refused("body", [
        {
          path: "usage.inputTokens",
          message: "must count the whole prompt, audio included, so at least audioInputTokens (1001)",
        },
      ]),
    );
    expect(await quote({ inputTokens: 1_000, outputTokens: 10, audioOutputTokens: 11 })).toMatchObject(
      refused("body", [
        {
          path: "usage.outputTokens",
          message: "must count the whole completion, audio included, so at least audioOutputTokens (11)",
        },
      ]),
    );
    expect(await quote({ inputTokens: 10, outputTokens: 0, reasoningTokens: 1_000_000 })).toMatchObject(
      refused("body", [
        {
          path: "usage.outputTokens",
          message:
            "must count the whole completion, reasoning included, so at least reasoningTokens (1000000)",
        },
      ]),
    );
  });

  it("prices usage whose cached parts and reasoning fill the prompt and output exactly", async () => {
    const res = await quote({
      inputTokens: 1_000,
      outputTokens: 100,
      cacheReadTokens: 600,
      cacheWriteTokens: 400,
      reasoningTokens: 100,
    });
    // 600 * 1.25/M read + 400 * 2.50/M written (no write price: input) + 100 * 10/M out; no uncached input.
    expect(res.body).toEqual({
      model: "gpt-4o",
      provider: "",
      serviceTier: "",
      at: "2026-11-02T00:00:00.000Z",
      priced: true,
      cost: {
        inputUsd: ZERO,
        outputUsd: "0.001000000000",
        cacheReadUsd: "0.000750000000",
        cacheWriteUsd: "0.001000000000",
        totalUsd: "0.002750000000",
        priceVersion: "genai-prices@0.1.8",
      },
    });
  });
});

describe("POST /v1/prices/quote one-hour cache writes", () => {
  it("prices the one-hour part of the cache writes at its own rate, and the rest at the five-minute one", async () => {
    const quote = (usage: Record<string, number>) =>
      api.call("POST", "/v1/prices/quote", read, {
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        at: "2026-11-02",
        usage: { inputTokens: 10_000, outputTokens: 1_000, cacheWriteTokens: 3_000, ...usage },
      });
    const answer = (cacheWriteUsd: string, totalUsd: string) => ({
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      serviceTier: "",
      at: "2026-11-02T00:00:00.000Z",
      priced: true,
      cost: {
        inputUsd: "0.021000000000", // 7000 uncached * $3/M
        outputUsd: "0.015000000000", // 1000 * $15/M
        cacheReadUsd: ZERO,
        cacheWriteUsd,
        totalUsd,
        priceVersion: "genai-prices@0.1.8",
      },
    });
    // 1000 five-minute writes * $3.75/M + 2000 one-hour writes * $6/M = 0.00375 + 0.012
    expect((await quote({ cacheWrite1hTokens: 2_000 })).body).toEqual(
      answer("0.015750000000", "0.051750000000"),
    );
    // Without a one-hour part, every write is at $3.75/M, as before.
    expect((await quote({})).body).toEqual(answer("0.011250000000", "0.047250000000"));
  });
});

describe("POST /v1/prices/quote audio and web searches", () => {
  const quote = (model: string, provider: string, usage: Record<string, number>) =>
    api.call("POST", "/v1/prices/quote", read, { provider, model, at: "2026-11-02", usage });
  const answer = (
    model: string,
    provider: string,
    inputUsd: string,
    outputUsd: string,
    totalUsd: string,
  ) => ({
    model,
    provider,
    serviceTier: "",
    at: "2026-11-02T00:00:00.000Z",
    priced: true,
    cost: {
      inputUsd,
      outputUsd,
      cacheReadUsd: ZERO,
      cacheWriteUsd: ZERO,
      totalUsd,
      priceVersion: "genai-prices@0.1.8",
    },
  });

  it("prices audio tokens at the model's audio rates, and the rest as text", async () => {
    const usage = { inputTokens: 2_000, outputTokens: 1_000 };
    // 500 text * $2.50/M + 1500 audio * $32/M = 0.00125 + 0.048 in;
    // 200 text * $10/M + 800 audio * $64/M = 0.002 + 0.0512 out.
    expect(
      (await quote("gpt-audio", "openai", { ...usage, audioInputTokens: 1_500, audioOutputTokens: 800 }))
        .body,
    ).toEqual(answer("gpt-audio", "openai", "0.049250000000", "0.053200000000", "0.102450000000"));
    // Without audio parts, every token is text: 2000 * $2.50/M in, 1000 * $10/M out.
    expect((await quote("gpt-audio", "openai", usage)).body).toEqual(
      answer("gpt-audio", "openai", "0.005000000000", "0.010000000000", "0.015000000000"),
    );
  });

  it("charges each web search the model's fee, in the input cost", async () => {
    const usage = { inputTokens: 2_000, outputTokens: 300 };
    // 2000 * $3/M + 5 searches * $10/1000 = 0.006 + 0.05 in; 300 * $15/M = 0.0045 out.
    expect((await quote("claude-sonnet-4-5", "anthropic", { ...usage, webSearches: 5 })).body).toEqual(
      answer("claude-sonnet-4-5", "anthropic", "0.056000000000", "0.004500000000", "0.060500000000"),
    );
    expect((await quote("claude-sonnet-4-5", "anthropic", usage)).body).toEqual(
      answer("claude-sonnet-4-5", "anthropic", "0.006000000000", "0.004500000000", "0.010500000000"),
    );
  });
});

describe("POST /v1/whatif", () => {
  it("reprices a slice on another model, comparing only calls priced both ways", async () => {
    const res = await api.call("POST", "/v1/whatif", read, {
      from: "2026-11-01",
      to: "2026-11-05",
      feature: "ticket-summary",
      target: { provider: "openai", model: "gpt-4o-mini" },
    });
    expect(res.body).toEqual({
      range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
      pricesAt: "2026-11-05T00:00:00.000Z",
      slice: { calls: 5, pricedCalls: 4, unpricedCalls: 1, pricedCostUsd: "0.070410000000" },
      // 1760*0.15 + 10240*0.075 + 500*0.60 = 0.001332; 2000*0.15 + 100*0.6 = 0.00036;
      // (2000 + 30000*… ) claude call: 2000 uncached *0.15 + 30000 read *0.075 + 5000 write (no write price: input) *0.15 + 800*0.6 = 0.00378;
      // next day 10000*0.15 + 1000*0.6 = 0.0021; mystery (unpriced as stored) 5000*0.15 + 100*0.6 = 0.00081.
      counterfactual: { costUsd: "0.008382000000", pricedCalls: 5, unpricedCalls: 0 },
      comparison: {
        calls: 4,
        currentUsd: "0.070410000000",
        counterfactualUsd: "0.007572000000",
        deltaUsd: "-0.062838000000",
      },
      groups: [
        {
          provider: "anthropic",
          model: "claude-sonnet-4-5",
          serviceTier: "",
          target: { provider: "openai", model: "gpt-4o-mini", serviceTier: "" },
          targetPriced: true,
          calls: 1,
          unpricedCalls: 0,
          pricedCostUsd: "0.045750000000",
          counterfactualCostUsd: "0.003780000000",
        },
        {
          provider: "openai",
          model: "gpt-4o",
          serviceTier: "",
          target: { provider: "openai", model: "gpt-4o-mini", serviceTier: "" },
          targetPriced: true,
          calls: 1,
          unpricedCalls: 0,
          pricedCostUsd: "0.022200000000",
          counterfactualCostUsd: "0.001332000000",
        },
        {
          provider: "openai",
          model: "gpt-4o-mini",
          serviceTier: "",
          target: { provider: "openai", model: "gpt-4o-mini", serviceTier: "" },
          targetPriced: true,
          calls: 2,
          unpricedCalls: 0,
          pricedCostUsd: "0.002460000000",
          counterfactualCostUsd: "0.002460000000",
        },
        {
          provider: "openai",
          model: "mystery-model-9000",
          serviceTier: "",
          target: { provider: "openai", model: "gpt-4o-mini", serviceTier: "" },
          targetPriced: true,
          calls: 1,
          unpricedCalls: 1,
          pricedCostUsd: ZERO,
          counterfactualCostUsd: "0.000810000000",
        },
      ],
    });
  });

  it("reprices on another service tier, keeping each call's own model", async () => {
    const res = await api.call("POST", "/v1/whatif", read, {
      from: "2026-11-01",
      to: "2026-11-05",
      service: "nightly-digest",
      target: { serviceTier: "batch" },
    });
    expect(res.body).toMatchObject({
      slice: { calls: 3, pricedCalls: 3, unpricedCalls: 0, pricedCostUsd: "0.028500000000" },
      counterfactual: { costUsd: "0.014250000000", pricedCalls: 3, unpricedCalls: 0 },
      comparison: { calls: 3, deltaUsd: "-0.014250000000" },
      groups: [{ model: "gpt-4o", target: { provider: "openai", model: "gpt-4o", serviceTier: "batch" } }],
    });
  });

  it("names the field when the target is missing or has no price", async () => {
    expect(await api.call("POST", "/v1/whatif", read, { target: {} })).toMatchObject({
      status: 400,
      body: {
        issues: [{ location: "body", path: "target", message: "name a model, a serviceTier, or both" }],
      },
    });
    expect(
      await api.call("POST", "/v1/whatif", read, {
        target: { model: "mystery-model-9000", provider: "openai" },
      }),
    ).toMatchObject({
      status: 400,
      body: {
        issues: [
          { location: "body", path: "target.model", message: "has no price at openai; see GET /v1/prices" },
        ],
      },
    });
  });
});

describe("GET /v1/insights", () => {
  it("finds exact-cache, prefix-cache, routing and batch savings with their evidence", async () => {
    const digests = [T.digest1, T.digest2, T.digest3];
    const res = await api.call("GET", `/v1/insights?${RANGE}`, read);
    expect(res.body).toEqual({
      range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
      insights: [
        {
          kind: "prefix_cache",
          title:
            "rag-answer sends 3 large prompts to claude-sonnet-4-5 with no cache reads; cache the stable prefix",
          // A minute apart, within the five-minute TTL: the first call writes the cache, 2 read it.
          // 2 reads * 8000 * ($3 - $0.30)/M - 8000 * ($3.75 - $3)/M for the one cache write;
          // a one-hour TTL would save $0.0432 - 8000 * ($6 - $3)/M = $0.0192.
          estimatedSavingsUsd: "0.037200000000",
          scope: {
            feature: "rag-answer",
            provider: "anthropic",
            model: "claude-sonnet-4-5",
            serviceTier: "",
          },
          suggestion: { cache: "prefix", prefixTokens: "8000", ttl: "5m" },
          evidence: {
            calls: 3,
            traces: 3,
            unpricedCalls: 0,
            pricedCostUsd: "0.085500000000",
            exampleTraceIds: [T.rag1, T.rag2, T.rag3],
            details: {
              assumedPrefixTokens: 8000,
              averagePromptTokens: 8000,
              cacheReadTokens: 0,
              minPromptTokens: 1024, // Claude Sonnet 4.5's own minimum
              cacheWriteCalls: 1,
              cacheReadCalls: 2,
            },
          },
        },
        {
          kind: "routing",
          title: "digest makes 3 short calls to gpt-4o; route them to gpt-4o-mini",
          estimatedSavingsUsd: "0.026790000000", // 0.0285 - 3 * (3000 * $0.15/M + 200 * $0.60/M)
          scope: { feature: "digest", provider: "openai", model: "gpt-4o" },
          suggestion: { provider: "openai", model: "gpt-4o-mini" },
          evidence: {
            calls: 3,
            traces: 3,
            unpricedCalls: 0,
            pricedCostUsd: "0.028500000000",
            exampleTraceIds: digests,
            details: {
              currentCostUsd: "0.028500000000", // 3 * (3000 * $2.50/M + 200 * $10/M), as stored
              counterfactualCostUsd: "0.001710000000",
              maxInputTokens: 4000,
              maxOutputTokens: 300,
              priceVersion: "genai-prices@0.1.8",
            },
          },
        },
        {
          kind: "exact_cache",
          title: "3 calls to gpt-4o sent an identical prompt; cache the response",
          estimatedSavingsUsd: "0.019000000000", // all but one of 3 * $0.0095
          scope: { provider: "openai", model: "gpt-4o", promptFingerprint: "fp00digest000001" },
          suggestion: { cache: "exact", key: "burnrate.prompt.fingerprint" },
          evidence: {
            calls: 3,
            traces: 3,
            unpricedCalls: 0,
            pricedCostUsd: "0.028500000000",
            exampleTraceIds: digests,
            details: { repeats: 2, pricedRepeats: 2, features: "digest" },
          },
        },
        {
          kind: "batch",
          title: "digest in nightly-digest makes 3 openai calls nobody waits on; use the batch API",
          estimatedSavingsUsd: "0.014250000000", // $0.0285 - 3 * (3000 * $1.25/M + 200 * $5/M)
          scope: { service: "nightly-digest", feature: "digest", provider: "openai" },
          suggestion: { serviceTier: "batch", discount: "50%" },
          evidence: {
            calls: 3,
            traces: 3,
            unpricedCalls: 0,
            pricedCostUsd: "0.028500000000",
            exampleTraceIds: digests,
            details: {
              callsWithoutUserOrSession: 3,
              attributedCallsTaggedBatch: 0,
              inferredCalls: 3,
              taggedCalls: 0,
              inferredSavingsUsd: "0.014250000000",
              taggedSavingsUsd: "0.000000000000",
              currentCostUsd: "0.028500000000",
              counterfactualCostUsd: "0.014250000000",
              priceVersion: "genai-prices@0.1.8",
            },
          },
        },
        // No prefix_cache insight for digest: OpenAI caches its 3000-token prompts without
        // asking, so the calls' zero cache reads (five minutes apart) mean no shared prefix.
      ],
    });
  });

  it("narrows to the filters and takes the same values verbatim", async () => {
    const rag = (await api.call("GET", `/v1/insights?${RANGE}&feature=rag-answer`, read)).body as {
      insights: { kind: string }[];
    };
    expect(rag.insights.map((i) => i.kind)).toEqual(["prefix_cache"]);
    const evil = await api.call(
      "GET",
      `/v1/insights?${RANGE}&feature=${encodeURIComponent(EVIL.feature)}&minCalls=2`,
      read,
    );
    expect(evil).toMatchObject({ status: 200, body: { insights: [] } });
  });
});
