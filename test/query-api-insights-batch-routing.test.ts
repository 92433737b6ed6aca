import { describe, expect, it } from "vitest";
import { useEmptyStoreApi } from "./support/empty-store-api.js";
import { ofKind, onDay1, pricedCall, spanOf } from "./support/insight-rows.js";

const api = useEmptyStoreApi(new Date("2026-11-05T00:00:00Z"));
const RANGE = "from=2026-11-01&to=2026-11-05";
const VERSION = "genai-prices@0.1.8";

/** Calls by feature, each with its own trace `<feature>-<i>`. */
function calls(feature: string, count: number, over: Record<string, unknown>) {
  return Array.from({ length: count }, (_, i) =>
    pricedCall({
      feature,
      trace_id: `${feature}-${i}`,
      span_id: `${feature}-s${i}`,
      start_time: onDay1(9, i),
      ...over,
    }),
  );
}

describe("GET /v1/insights: batch", () => {
  it("reprices at the batch tier, which leaves web-search fees whole", async () => {
    await api.db.insert(
      "llm_calls",
      calls("web-research", 3, {
        provider: "anthropic",
        request_model: "claude-sonnet-4-5",
        user_id: "",
        input_tokens: 1_000,
        output_tokens: 100,
        web_searches: 10,
      }),
    );
    const res = await api.get(`/v1/insights?${RANGE}&feature=web-research`);
    expect(res.body).toEqual({
      range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
      insights: [
        {
          kind: "batch",
          title: "web-research in svc makes 3 anthropic calls nobody waits on; use the batch API",
          // Each call now: 1000 * $3/M + 100 * $15/M + 10 searches * $10/1000 = $0.1045.
          // At the batch tier: 1000 * $1.50/M + 100 * $7.50/M + $0.10 (fees not halved) = $0.10225.
          // 3 * ($0.1045 - $0.10225) = $0.00675 (half of all, the old answer, was $0.15675).
          estimatedSavingsUsd: "0.006750000000",
          scope: { service: "svc", feature: "web-research", provider: "anthropic" },
          suggestion: { serviceTier: "batch", discount: "50%" },
          evidence: {
            calls: 3,
            traces: 3,
            unpricedCalls: 0,
            pricedCostUsd: "0.313500000000",
            exampleTraceIds: ["web-research-0", "web-research-1", "web-research-2"],
            details: {
              callsWithoutUserOrSession: 3,
              attributedCallsTaggedBatch: 0,
              inferredCalls: 3,
              taggedCalls: 0,
              inferredSavingsUsd: "0.006750000000",
              taggedSavingsUsd: "0.000000000000",
              currentCostUsd: "0.313500000000", // 3 * $0.1045
              counterfactualCostUsd: "0.306750000000", // 3 * $0.10225
              priceVersion: VERSION,
            },
          },
        },
      ],
    });
  });

  it("drops a priority-tier call to the batch price, not to half of the priority one", async () => {
    await api.db.insert(
      "llm_calls",
      calls("priority-digest", 3, {
        service_tier: "priority",
        user_id: "",
        input_tokens: 1_000,
        output_tokens: 100,
      }),
    );
    const res = await api.get(`/v1/insights?${RANGE}&feature=priority-digest`);
    expect(ofKind(res.body, "batch")).toEqual([
      {
        kind: "batch",
        title: "priority-digest in svc makes 3 openai calls nobody waits on; use the batch API",
        // Priority gpt-4o: 1000 * $4.25/M + 100 * $17/M = $0.00595 a call, $0.01785 for 3.
        // Batch gpt-4o: 1000 * $1.25/M + 100 * $5/M = $0.00175 a call, $0.00525 for 3.
        // $0.01785 - $0.00525 = $0.0126 (half of the priority cost, the old answer, was $0.008925).
        estimatedSavingsUsd: "0.012600000000",
        scope: { service: "svc", feature: "priority-digest", provider: "openai" },
        suggestion: { serviceTier: "batch", discount: "50%" },
        evidence: {
          calls: 3,
          traces: 3,
          unpricedCalls: 0,
          pricedCostUsd: "0.017850000000",
          exampleTraceIds: ["priority-digest-0", "priority-digest-1", "priority-digest-2"],
          details: {
            callsWithoutUserOrSession: 3,
            attributedCallsTaggedBatch: 0,
            inferredCalls: 3,
            taggedCalls: 0,
            inferredSavingsUsd: "0.012600000000",
            taggedSavingsUsd: "0.000000000000",
            currentCostUsd: "0.017850000000",
            counterfactualCostUsd: "0.005250000000",
            priceVersion: VERSION,
          },
        },
      },
    ]);
  });

  it("leaves out calls tagged interactive, and splits the estimate into tagged and inferred", async () => {
    // Three calls without a user or session whose spans say a person is waiting.
    const chat = calls("chat-ui", 3, { user_id: "", input_tokens: 5_000, output_tokens: 500 });
    // Two untagged calls without a user (inferred), two attributed calls tagged batch, and
    // two calls without a user tagged interactive (left out).
    const untagged = calls("mixed", 2, { user_id: "", input_tokens: 1_000, output_tokens: 100 });
    const tagged = calls("mixed", 4, { user_id: "u-1", input_tokens: 2_000, output_tokens: 100 }).slice(2);
    const waiting = calls("mixed", 6, { user_id: "", input_tokens: 1_000, output_tokens: 100 }).slice(4);
    await api.db.insert("llm_calls", [...chat, ...untagged, ...tagged, ...waiting]);
    await api.db.insert("spans", [
      ...[...chat, ...waiting].map((row) => spanOf(row, { "burnrate.task_type": "interactive" })),
      ...tagged.map((row) => spanOf(row, { "burnrate.task_type": "Batch" })),
    ]);
    const chatUi = await api.get(`/v1/insights?${RANGE}&feature=chat-ui`);
    expect(ofKind(chatUi.body, "batch")).toEqual([]); // was $0.02625: half of 3 * $0.0175
    const mixed = await api.get(`/v1/insights?${RANGE}&feature=mixed`);
    expect(ofKind(mixed.body, "batch")).toEqual([
      {
        kind: "batch",
        title: "mixed in svc makes 4 openai calls nobody waits on; use the batch API",
        // Inferred: 2 * (1000 * $2.50/M + 100 * $10/M) = $0.007, at batch $0.0035: saves $0.0035.
        // Tagged: 2 * (2000 * $2.50/M + 100 * $10/M) = $0.012, at batch $0.006: saves $0.006.
        estimatedSavingsUsd: "0.009500000000",
        scope: { service: "svc", feature: "mixed", provider: "openai" },
        suggestion: { serviceTier: "batch", discount: "50%" },
        evidence: {
          calls: 4,
          traces: 4,
          unpricedCalls: 0,
          pricedCostUsd: "0.019000000000",
          exampleTraceIds: ["mixed-0", "mixed-1", "mixed-2"],
          details: {
            callsWithoutUserOrSession: 2,
            attributedCallsTaggedBatch: 2,
            inferredCalls: 2,
            taggedCalls: 2,
            inferredSavingsUsd: "0.003500000000",
            taggedSavingsUsd: "0.006000000000",
            currentCostUsd: "0.019000000000",
            counterfactualCostUsd: "0.009500000000",
            priceVersion: VERSION,
          },
        },
      },
    ]);
  });
});

describe("GET /v1/insights: routing", () => {
  it("answers when a provider is named like an Object.prototype member", async () => {
    await api.db.insert("llm_calls", [
      ...calls("odd-provider", 3, { provider: "constructor", input_tokens: 1_000, output_tokens: 100 }),
      ...calls("odd-provider", 6, { provider: "__proto__", input_tokens: 1_000, output_tokens: 100 }).slice(
        3,
      ),
      ...calls("odd-provider", 9, { provider: "toString", input_tokens: 1_000, output_tokens: 100 }).slice(6),
    ]);
    const errorsBefore = api.errors.length;
    const res = await api.get(`/v1/insights?${RANGE}&feature=odd-provider`);
    // No routing target is configured for these providers, and none of the other kinds applies.
    expect(res).toEqual({
      status: 200,
      body: { range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" }, insights: [] },
    });
    expect(api.errors.slice(errorsBefore)).toEqual([]);
  });

  it("compares both sides at today's prices, whatever price the calls were stored with", async () => {
    await api.db.insert("llm_calls", [
      // Stored under an older price version at $0.02 a call, and as the provider reported it.
      ...calls("old-price", 2, { cost_total: "0.020000000000", price_version: "genai-prices@0.0.1" }),
      ...calls("old-price", 3, { cost_total: "0.020000000000", cost_source: "provider" }).slice(2),
    ]);
    const res = await api.get(`/v1/insights?${RANGE}&feature=old-price`);
    expect(ofKind(res.body, "routing")).toEqual([
      {
        kind: "routing",
        title: "old-price makes 3 short calls to gpt-4o; route them to gpt-4o-mini",
        // Today's gpt-4o: 3 * (100 * $2.50/M + 10 * $10/M) = $0.00105; gpt-4o-mini:
        // 3 * (100 * $0.15/M + 10 * $0.60/M) = $0.000063. The stored $0.06 would have made it $0.059937.
        estimatedSavingsUsd: "0.000987000000",
        scope: { feature: "old-price", provider: "openai", model: "gpt-4o" },
        suggestion: { provider: "openai", model: "gpt-4o-mini" },
        evidence: {
          calls: 3,
          traces: 3,
          unpricedCalls: 0,
          pricedCostUsd: "0.060000000000",
          exampleTraceIds: ["old-price-0", "old-price-1", "old-price-2"],
          details: {
            currentCostUsd: "0.001050000000",
            counterfactualCostUsd: "0.000063000000",
            maxInputTokens: 4000,
            maxOutputTokens: 300,
            priceVersion: VERSION,
          },
        },
      },
    ]);
  });
});
