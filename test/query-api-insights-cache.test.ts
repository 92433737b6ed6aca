import { describe, expect, it } from "vitest";
import { useEmptyStoreApi } from "./support/empty-store-api.js";
import { ofKind, onDay1, pricedCall } from "./support/insight-rows.js";

const api = useEmptyStoreApi(new Date("2026-11-05T00:00:00Z"));
const RANGE = "from=2026-11-01&to=2026-11-05";
const NONE = { range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" }, insights: [] };

/** One call of `feature` at each `[hour, minute]`, in its own trace `<feature>-<i>`. */
function callsAt(
  feature: string,
  times: readonly (readonly [number, number])[],
  over: Record<string, unknown>,
) {
  return times.map(([hour, minute], i) =>
    pricedCall({
      feature,
      trace_id: `${feature}-${i}`,
      span_id: `${feature}-s${i}`,
      start_time: onDay1(hour, minute),
      ...over,
    }),
  );
}
/** `count` times a minute apart from 09:00. */
const minutely = (count: number) => Array.from({ length: count }, (_, i) => [9, i] as const);
const examples = (feature: string) => [0, 1, 2].map((i) => `${feature}-${i}`);
const SONNET = {
  provider: "anthropic",
  request_model: "claude-sonnet-4-5",
  input_tokens: 8_000,
  output_tokens: 100,
};

describe("GET /v1/insights: prefix cache", () => {
  it("counts a cache write after every gap longer than the TTL", async () => {
    const bursts = [
      [9, 0],
      [9, 1],
      [9, 2],
      [10, 30],
      [10, 31],
      [10, 32],
    ] as const;
    const twoHourly = Array.from({ length: 10 }, (_, i) => [2 * i, 0] as const);
    await api.db.insert("llm_calls", [
      ...callsAt("bursts", bursts, SONNET),
      ...callsAt("two-hourly", twoHourly, SONNET),
    ]);
    const res = await api.get(`/v1/insights?${RANGE}&feature=bursts`);
    expect(res.body).toEqual({
      ...NONE,
      insights: [
        {
          kind: "prefix_cache",
          title:
            "bursts sends 6 large prompts to claude-sonnet-4-5 with no cache reads; cache the stable prefix",
          // Two bursts 88 minutes apart: 2 writes and 4 reads with either TTL.
          // Five minutes: 4 * 8000 * ($3 - $0.30)/M - 2 * 8000 * ($3.75 - $3)/M = $0.0864 - $0.012 = $0.0744.
          // One hour: $0.0864 - 2 * 8000 * ($6 - $3)/M = $0.0384, so five minutes is reported.
          estimatedSavingsUsd: "0.074400000000",
          scope: { feature: "bursts", provider: "anthropic", model: "claude-sonnet-4-5", serviceTier: "" },
          suggestion: { cache: "prefix", prefixTokens: "8000", ttl: "5m" },
          evidence: {
            calls: 6,
            traces: 6,
            unpricedCalls: 0,
            pricedCostUsd: "0.153000000000", // 6 * (8000 * $3/M + 100 * $15/M)
            exampleTraceIds: examples("bursts"),
            details: {
              assumedPrefixTokens: 8000,
              averagePromptTokens: 8000,
              cacheReadTokens: 0,
              minPromptTokens: 1024,
              cacheWriteCalls: 2,
              cacheReadCalls: 4,
            },
          },
        },
      ],
    });
    // Two hours apart, every call would write the cache (one hour: 10 * 8000 * $3/M more
    // than today); the old answer assumed one write and 9 reads: $0.1884.
    expect((await api.get(`/v1/insights?${RANGE}&feature=two-hourly`)).body).toEqual(NONE);
  });

  it("reports the one-hour TTL where it saves more", async () => {
    const every20 = Array.from({ length: 6 }, (_, i) => [9 + Math.floor(i / 3), (i % 3) * 20] as const);
    await api.db.insert("llm_calls", callsAt("every-20-min", every20, SONNET));
    const res = await api.get(`/v1/insights?${RANGE}&feature=every-20-min`);
    expect(ofKind(res.body, "prefix_cache")).toEqual([
      {
        kind: "prefix_cache",
        title:
          "every-20-min sends 6 large prompts to claude-sonnet-4-5 with no cache reads; cache the stable prefix with a 1-hour TTL",
        // Five minutes: 6 writes, 0 reads, so it only costs more. One hour: 1 write, 5 reads:
        // 5 * 8000 * ($3 - $0.30)/M - 8000 * ($6 - $3)/M = $0.108 - $0.024 = $0.084.
        estimatedSavingsUsd: "0.084000000000",
        scope: {
          feature: "every-20-min",
          provider: "anthropic",
          model: "claude-sonnet-4-5",
          serviceTier: "",
        },
        suggestion: { cache: "prefix", prefixTokens: "8000", ttl: "1h" },
        evidence: {
          calls: 6,
          traces: 6,
          unpricedCalls: 0,
          pricedCostUsd: "0.153000000000",
          exampleTraceIds: examples("every-20-min"),
          details: {
            assumedPrefixTokens: 8000,
            averagePromptTokens: 8000,
            cacheReadTokens: 0,
            minPromptTokens: 1024,
            cacheWriteCalls: 1,
            cacheReadCalls: 5,
          },
        },
      },
    ]);
  });

  it("skips a group that already writes the cache on every call", async () => {
    const twoHourly = Array.from({ length: 5 }, (_, i) => [2 * i, 0] as const);
    await api.db.insert(
      "llm_calls",
      callsAt("writes-only", twoHourly, { ...SONNET, cache_write_tokens: 7_000 }),
    );
    expect((await api.get(`/v1/insights?${RANGE}&feature=writes-only`)).body).toEqual(NONE); // was $0.0804
  });

  it("holds each model to its own minimum cacheable prompt", async () => {
    const haiku = { provider: "anthropic", request_model: "claude-haiku-4-5", output_tokens: 100 };
    await api.db.insert("llm_calls", [
      // Below Claude Haiku 4.5's 4,096 and Claude Haiku 3's 2,048 tokens: never cached.
      ...callsAt("haiku-short", minutely(5), { ...haiku, input_tokens: 2_000 }),
      ...callsAt("haiku3-short", minutely(4), {
        ...haiku,
        request_model: "claude-3-haiku-20240307",
        input_tokens: 1_500,
      }),
      // Five prompts above the minimum, and one below it that cannot share the prefix.
      ...callsAt("haiku-long", minutely(5), { ...haiku, input_tokens: 5_000 }),
      pricedCall({
        ...haiku,
        feature: "haiku-long",
        trace_id: "haiku-long-9",
        start_time: onDay1(9, 5),
        input_tokens: 3_000,
      }),
    ]);
    expect((await api.get(`/v1/insights?${RANGE}&feature=haiku-short`)).body).toEqual(NONE); // was $0.0067
    expect((await api.get(`/v1/insights?${RANGE}&feature=haiku3-short`)).body).toEqual(NONE);
    const res = await api.get(`/v1/insights?${RANGE}&feature=haiku-long`);
    expect(ofKind(res.body, "prefix_cache")).toEqual([
      {
        kind: "prefix_cache",
        title:
          "haiku-long sends 5 large prompts to claude-haiku-4-5 with no cache reads; cache the stable prefix",
        // 4 * 5000 * ($1 - $0.10)/M - 5000 * ($1.25 - $1)/M = $0.018 - $0.00125 = $0.01675
        // (one hour: $0.018 - 5000 * ($2 - $1)/M = $0.013).
        estimatedSavingsUsd: "0.016750000000",
        scope: { feature: "haiku-long", provider: "anthropic", model: "claude-haiku-4-5", serviceTier: "" },
        suggestion: { cache: "prefix", prefixTokens: "5000", ttl: "5m" },
        evidence: {
          calls: 5,
          traces: 5,
          unpricedCalls: 0,
          pricedCostUsd: "0.027500000000", // 5 * (5000 * $1/M + 100 * $5/M)
          exampleTraceIds: examples("haiku-long"),
          details: {
            assumedPrefixTokens: 5000,
            averagePromptTokens: 5000,
            cacheReadTokens: 0,
            minPromptTokens: 4096,
            cacheWriteCalls: 1,
            cacheReadCalls: 4,
          },
        },
      },
    ]);
  });

  it("prices a group at its own service tier", async () => {
    await api.db.insert(
      "llm_calls",
      callsAt("batch-tier", minutely(5), { ...SONNET, service_tier: "batch" }),
    );
    const res = await api.get(`/v1/insights?${RANGE}&feature=batch-tier`);
    expect(res.body).toEqual({
      ...NONE,
      insights: [
        {
          kind: "prefix_cache",
          title:
            "batch-tier sends 5 large prompts to claude-sonnet-4-5 with no cache reads; cache the stable prefix",
          // Batch halves every rate: 4 * 8000 * ($1.50 - $0.15)/M - 8000 * ($1.875 - $1.50)/M
          // = $0.0432 - $0.003 = $0.0402 (at standard prices, the old answer: $0.0804).
          estimatedSavingsUsd: "0.040200000000",
          scope: {
            feature: "batch-tier",
            provider: "anthropic",
            model: "claude-sonnet-4-5",
            serviceTier: "batch",
          },
          suggestion: { cache: "prefix", prefixTokens: "8000", ttl: "5m" },
          evidence: {
            calls: 5,
            traces: 5,
            unpricedCalls: 0,
            pricedCostUsd: "0.063750000000", // 5 * (8000 * $1.50/M + 100 * $7.50/M)
            exampleTraceIds: examples("batch-tier"),
            details: {
              assumedPrefixTokens: 8000,
              averagePromptTokens: 8000,
              cacheReadTokens: 0,
              minPromptTokens: 1024,
              cacheWriteCalls: 1,
              cacheReadCalls: 4,
            },
          },
        },
      ],
    });
  });

  it("claims nothing for OpenAI prompts, which are cached without asking", async () => {
    const gpt4o = { input_tokens: 3_000, output_tokens: 100 };
    await api.db.insert("llm_calls", [
      ...callsAt("openai-prefix", minutely(5), gpt4o),
      ...callsAt("openai-batch-prefix", minutely(5), { ...gpt4o, service_tier: "batch" }),
    ]);
    // Was 4 * 3000 * ($2.50 - $1.25)/M = $0.015, and $0.015 again for the batch-tier calls.
    for (const feature of ["openai-prefix", "openai-batch-prefix"])
      expect(
        ofKind((await api.get(`/v1/insights?${RANGE}&feature=${feature}`)).body, "prefix_cache"),
      ).toEqual([]);
  });

  it("picks its groups by saving, not by cost", async () => {
    const ranking = { ...SONNET, service: "ranking-svc" };
    await api.db.insert("llm_calls", [
      // Four groups costing $0.2745 each (3 * (30000 * $3/M + 100 * $15/M)) that would save
      // $0.036 each: 2 writes, 1 read, 30000 * ($3 - $0.30)/M - 2 * 30000 * ($3.75 - $3)/M.
      ...[1, 2, 3, 4].flatMap((n) =>
        callsAt(
          `costly-${n}`,
          [
            [9, 0],
            [9, 1],
            [13, 0],
          ],
          { ...ranking, input_tokens: 30_000 },
        ),
      ),
      // One costing $0.255 that would save more.
      ...callsAt("steady", minutely(10), ranking),
    ]);
    const res = await api.get(`/v1/insights?${RANGE}&service=ranking-svc&limit=1`);
    expect(res.body).toEqual({
      ...NONE,
      insights: [
        {
          kind: "prefix_cache",
          title:
            "steady sends 10 large prompts to claude-sonnet-4-5 with no cache reads; cache the stable prefix",
          estimatedSavingsUsd: "0.188400000000", // 9 * 8000 * ($3 - $0.30)/M - 8000 * ($3.75 - $3)/M
          scope: { feature: "steady", provider: "anthropic", model: "claude-sonnet-4-5", serviceTier: "" },
          suggestion: { cache: "prefix", prefixTokens: "8000", ttl: "5m" },
          evidence: {
            calls: 10,
            traces: 10,
            unpricedCalls: 0,
            pricedCostUsd: "0.255000000000",
            exampleTraceIds: ["steady-0", "steady-1", "steady-2"],
            details: {
              assumedPrefixTokens: 8000,
              averagePromptTokens: 8000,
              cacheReadTokens: 0,
              minPromptTokens: 1024,
              cacheWriteCalls: 1,
              cacheReadCalls: 9,
            },
          },
        },
      ],
    });
  });
});

describe("GET /v1/insights: exact cache", () => {
  it("counts only successful calls as answerable repeats", async () => {
    await api.db.insert("llm_calls", [
      ...callsAt(
        "retries",
        [
          [9, 0],
          [9, 5],
        ],
        { prompt_fingerprint: "fp-retry", input_tokens: 1_000, output_tokens: 200 },
      ),
      ...callsAt(
        "retries",
        [
          [8, 58],
          [8, 59],
          [8, 57],
          [8, 56],
        ],
        {
          prompt_fingerprint: "fp-retry",
          input_tokens: 0,
          output_tokens: 0,
          status: "error",
          error_type: "429",
        },
      ).slice(2),
    ]);
    const res = await api.get(`/v1/insights?${RANGE}&feature=retries&minCalls=2`);
    expect(ofKind(res.body, "exact_cache")).toEqual([
      {
        kind: "exact_cache",
        title: "2 calls to gpt-4o sent an identical prompt; cache the response",
        // Each 1000 * $2.50/M + 200 * $10/M = $0.0045; all but one of 2 (with the two failed
        // attempts counted, the old answer was $0.009 - $0.009/4 = $0.00675).
        estimatedSavingsUsd: "0.004500000000",
        scope: { provider: "openai", model: "gpt-4o", promptFingerprint: "fp-retry" },
        suggestion: { cache: "exact", key: "burnrate.prompt.fingerprint" },
        evidence: {
          calls: 2,
          traces: 2,
          unpricedCalls: 0,
          pricedCostUsd: "0.009000000000",
          exampleTraceIds: ["retries-0", "retries-1"],
          details: { repeats: 1, pricedRepeats: 1, features: "retries" },
        },
      },
    ]);
  });

  it("picks its top fingerprints by saving, not by cost", async () => {
    const reported = { cost_source: "provider", price_version: "provider" };
    await api.db.insert("llm_calls", [
      ...callsAt("ranked", minutely(2), {
        ...reported,
        prompt_fingerprint: "fpA",
        cost_total: "5.000000000000",
      }),
      ...callsAt("ranked", minutely(12), {
        ...reported,
        prompt_fingerprint: "fpB",
        cost_total: "0.900000000000",
      }).slice(2),
    ]);
    const res = await api.get(`/v1/insights?${RANGE}&feature=ranked&minCalls=2&limit=1`);
    expect(ofKind(res.body, "exact_cache")).toEqual([
      {
        kind: "exact_cache",
        title: "10 calls to gpt-4o sent an identical prompt; cache the response",
        // fpB: $9 - $9/10 = $8.10 beats fpA's $10 - $10/2 = $5, though fpA cost more.
        estimatedSavingsUsd: "8.100000000000",
        scope: { provider: "openai", model: "gpt-4o", promptFingerprint: "fpB" },
        suggestion: { cache: "exact", key: "burnrate.prompt.fingerprint" },
        evidence: {
          calls: 10,
          traces: 10,
          unpricedCalls: 0,
          pricedCostUsd: "9.000000000000",
          exampleTraceIds: ["ranked-10", "ranked-11", "ranked-2"],
          details: { repeats: 9, pricedRepeats: 9, features: "ranked" },
        },
      },
    ]);
  });

  it("values priced calls only, and needs two of them", async () => {
    const mystery = {
      request_model: "mystery-1",
      cost_total: "0",
      cost_source: "unpriced",
      price_version: "",
    };
    const reported = { request_model: "mystery-1", cost_total: "0.010000000000", cost_source: "provider" };
    await api.db.insert("llm_calls", [
      ...callsAt("mystery", minutely(3), { ...mystery, prompt_fingerprint: "fpU" }),
      ...callsAt("mystery", minutely(4), { ...reported, prompt_fingerprint: "fpU" }).slice(3),
      ...callsAt("mystery-2", minutely(2), { ...mystery, prompt_fingerprint: "fpV" }),
      ...callsAt("mystery-2", minutely(4), { ...reported, prompt_fingerprint: "fpV" }).slice(2),
    ]);
    // One priced call of four: nothing to value (the old answer was an insight saving $0).
    expect((await api.get(`/v1/insights?${RANGE}&feature=mystery&minCalls=2`)).body).toEqual(NONE);
    const res = await api.get(`/v1/insights?${RANGE}&feature=mystery-2&minCalls=2`);
    expect(res.body).toEqual({
      ...NONE,
      insights: [
        {
          kind: "exact_cache",
          title: "4 calls to mystery-1 sent an identical prompt; cache the response",
          estimatedSavingsUsd: "0.010000000000", // all but one of the 2 priced calls: $0.02 - $0.02/2
          scope: { provider: "openai", model: "mystery-1", promptFingerprint: "fpV" },
          suggestion: { cache: "exact", key: "burnrate.prompt.fingerprint" },
          evidence: {
            calls: 4,
            traces: 4,
            unpricedCalls: 2,
            pricedCostUsd: "0.020000000000",
            exampleTraceIds: ["mystery-2-0", "mystery-2-1", "mystery-2-2"],
            details: { repeats: 3, pricedRepeats: 1, features: "mystery-2" },
          },
        },
      ],
    });
  });
});
