import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from "@burnrate/core";
import { type ClickHouse, traceCost } from "@burnrate/storage";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
import { hexId, otlpJson } from "./support/otlp-json.js";

const traceId = hexId(16);
const startNs = BigInt(Date.parse("2026-11-02T10:00:00Z")) * 1_000_000n;
const request = otlpJson(
  Array.from({ length: 5 }, (_, i) => ({
    traceId,
    spanId: hexId(8),
    startNs: startNs + BigInt(i) * 1_000_000_000n,
    attributes: {
      [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o-mini",
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1_000,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 100,
    },
  })),
);

async function send(c: TestCollector): Promise<number> {
  const res = await fetch(`${c.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: request,
  });
  return res.status;
}

async function totals(db: ClickHouse) {
  const [rollup] = await db.query<{ calls: number; cost: string; input: number }>({
    query: `SELECT sum(calls) AS calls, sum(cost_total) AS cost, sum(input_tokens) AS input
      FROM llm_cost_minutely WHERE project_id = 'default'`,
    params: {},
  });
  return { trace: await traceCost(db, "default", traceId), rollup };
}

// 5 calls * (1000 * $0.15/M + 100 * $0.60/M) = 5 * $0.00021 = $0.00105
const expected = {
  trace: {
    calls: 5,
    unpricedCalls: 0,
    inputTokens: 5_000,
    outputTokens: 500,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: "0.001050000000",
  },
  rollup: { calls: 5, cost: "0.001050000000", input: 5_000 },
};

let first: TestCollector;
beforeAll(async () => {
  first = await startTestCollector();
});
afterAll(async () => {
  await first.stop();
});

describe("a retried OTLP export", () => {
  it("leaves every total and the rollup unchanged when sent twice", async () => {
    expect(await send(first)).toBe(200);
    await eventually(
      () => totals(first.db),
      (t) => t.trace.calls === 5,
    );
    expect(await send(first)).toBe(200);
    await new Promise((r) => setTimeout(r, 300)); // let the writer run if it were going to
    expect(await totals(first.db)).toEqual(expected);
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    expect(metrics).toContain("burnrate_spans_received_total 10");
    expect(metrics).toContain("burnrate_spans_accepted_total 10");
    expect(metrics).toContain("burnrate_spans_deduplicated_total 5");
    expect(metrics).toContain("burnrate_llm_calls_written_total 5");
    expect(metrics).toMatch(/burnrate_batches_written_total [1-9]/);
    expect(metrics).toContain("burnrate_spool_bytes 0");
  });

  it("still counts once when the retry reaches a fresh collector with no memory of it", async () => {
    // A second collector (as after a restart, or behind a load balancer) on the same store.
    const second = await startTestCollector({ db: first.db });
    try {
      expect(await send(second)).toBe(200);
      await eventually(
        async () =>
          (await (await fetch(`${second.url}/metrics`)).text()).includes("burnrate_batches_written_total 1"),
        (written) => written,
      );
      expect(await totals(first.db)).toEqual(expected);
      const metrics = await (await fetch(`${second.url}/metrics`)).text();
      expect(metrics).toContain("burnrate_spans_deduplicated_total 0");
      expect(metrics).toContain("burnrate_llm_calls_written_total 0");
    } finally {
      await second.stop();
    }
  });

  it("counts price misses by model in /metrics", async () => {
    await fetch(`${first.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: otlpJson([
        {
          traceId: hexId(16),
          spanId: hexId(8),
          attributes: {
            [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
            [ATTR_GEN_AI_REQUEST_MODEL]: "mystery-model-9000",
            [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 10,
          },
        },
      ]),
    });
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    expect(metrics).toContain('burnrate_price_misses_total{provider="openai",model="mystery-model-9000"} 1');
  });
});

describe("a request with one span the collector cannot process", () => {
  it("rejects only that span, stores the rest, and takes the span when it is sent again", async () => {
    const traceId = hexId(16);
    const [good, defect, alsoGood] = ["c000000000000001", "c000000000000002", "c000000000000003"];
    const body = otlpJson(
      [good, defect, alsoGood].map((spanId) => ({
        traceId,
        spanId: spanId!,
        startNs,
        attributes: {
          [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
          [ATTR_GEN_AI_REQUEST_MODEL]: spanId === defect ? "gpt-4o" : "gpt-4o-mini",
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1_000,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 100,
        },
      })),
    );
    const post = async () => {
      const res = await fetch(`${first.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      return { status: res.status, body: await res.json() };
    };
    const storedSpans = () =>
      first.db.query<{ span_id: string; cost_source: string }>({
        query:
          "SELECT span_id, cost_source FROM llm_calls FINAL WHERE trace_id = {t:String} ORDER BY span_id",
        params: { t: traceId },
      });
    // A defect in pricing that only this span's model reaches.
    const book = first.collector.priceBook;
    const price = book.price;
    const broken = vi.spyOn(book, "price").mockImplementation((call) => {
      if (call.requestModel === "gpt-4o") throw new TypeError("provider.trim is not a function");
      return price(call);
    });
    const rejected = {
      status: 200,
      body: {
        partialSuccess: {
          rejectedSpans: "1",
          errorMessage: `span ${traceId}/${defect} could not be processed by the collector (price: TypeError: provider.trim is not a function); it was not stored`,
        },
      },
    };
    expect(await post()).toEqual(rejected);
    const computed = (span_id: string) => ({ span_id, cost_source: "computed" });
    expect(await eventually(storedSpans, (rows) => rows.length === 2)).toEqual([
      computed(good!),
      computed(alsoGood!),
    ]);
    // Sent again, the rejected span is processed again rather than taken for a duplicate.
    expect(await post()).toEqual(rejected);
    broken.mockRestore();
    expect(await post()).toEqual({ status: 200, body: {} });
    expect(await eventually(storedSpans, (rows) => rows.length === 3)).toEqual([
      computed(good!),
      computed(defect!),
      computed(alsoGood!),
    ]);
  });
});
