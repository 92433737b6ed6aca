import type { LlmCall } from "@burnrate/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ClickHouse } from "../src/client.js";
import { insertNewLlmCalls, toLlmCallRow } from "../src/llm-calls.js";
import { migrate } from "../src/migrate.js";
import { costByDay } from "../src/queries/cost-by-day.js";
import { traceCost } from "../src/queries/trace-cost.js";
import { build, param, sql } from "../src/sql.js";

/** A realistic priced call; tests override what they need. */
export function sampleCall(overrides: Partial<LlmCall> = {}): LlmCall {
  return {
    projectId: "default",
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    parentSpanId: "",
    startTimeUnixNano: 1_790_000_000_123_456_789n,
    durationNs: 812_000_000n,
    sessionId: "sess-1",
    service: "support-bot",
    agent: "triage",
    feature: "ticket-summary",
    user: "u-42",
    tenant: "acme",
    provider: "openai",
    operation: "chat",
    requestModel: "gpt-4o",
    responseModel: "gpt-4o-2024-08-06",
    serviceTier: "",
    tokens: { input: 1200, output: 300, cacheRead: 1024, cacheWrite: 0, reasoning: 0 },
    cost: {
      input: "0.000440000000",
      output: "0.003000000000",
      cacheRead: "0.001280000000",
      cacheWrite: "0",
      total: "0.004720000000",
      source: "computed",
      priceVersion: "test",
    },
    estimated: false,
    promptFingerprint: "fp-1",
    toolCallFingerprints: [],
    status: "ok",
    errorType: "",
    ...overrides,
  };
}

/**
 * The behaviour every driver of the seam must show. The embedded driver runs it always;
 * the server driver runs it when BURNRATE_CLICKHOUSE_URL points at a server.
 */
export function seamContract(open: () => Promise<ClickHouse>): void {
  let db: ClickHouse;
  beforeAll(async () => {
    db = await open();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("round-trips rows through insert and a parameterised query", async () => {
    await db.command(
      build(sql`CREATE TABLE IF NOT EXISTS seam_probe (k String, n UInt64, m Map(LowCardinality(String), String))
        ENGINE = MergeTree ORDER BY k`),
    );
    await db.insert("seam_probe", [
      { k: "a", n: 1, m: { x: "1" } },
      { k: "b", n: 2, m: {} },
    ]);
    const rows = await db.query(
      build(sql`SELECT k, n, m FROM seam_probe WHERE n >= ${param("UInt64", 2)} ORDER BY k`),
    );
    expect(rows).toEqual([{ k: "b", n: 2, m: {} }]);
  });

  it("inserts a ready-made JSONEachRow payload", async () => {
    const payload = Buffer.from('{"k":"raw-1","n":11,"m":{}}\n{"k":"raw-2","n":12,"m":{"a":"b"}}\n');
    await db.insertJsonEachRow("seam_probe", payload);
    const rows = await db.query(
      build(sql`SELECT k, n, m FROM seam_probe WHERE startsWith(k, ${param("String", "raw-")}) ORDER BY k`),
    );
    expect(rows).toEqual([
      { k: "raw-1", n: 11, m: {} },
      { k: "raw-2", n: 12, m: { a: "b" } },
    ]);
  });

  it("stores and returns hostile parameter values verbatim", async () => {
    const hostile = `it's a "test" \\ with \\' and '); DROP TABLE llm_calls; -- {p0:String} \n\t☃`;
    await db.insert("seam_probe", [{ k: hostile, n: 7, m: { [hostile]: hostile } }]);
    const rows = await db.query(
      build(sql`SELECT k, n, m FROM seam_probe WHERE k = ${param("String", hostile)}`),
    );
    expect(rows).toEqual([{ k: hostile, n: 7, m: { [hostile]: hostile } }]);
    const tables = await db.query(build(sql`SELECT count() AS n FROM llm_calls`));
    expect(tables).toEqual([{ n: 0 }]);
  });

  it("counts a span inserted twice once, in the trace total and in the rollup", async () => {
    const first = sampleCall();
    const other = sampleCall({
      spanId: "00f067aa0ba902b8",
      cost: { ...first.cost, total: "0.000000000001" },
    });
    expect(await insertNewLlmCalls(db, [toLlmCallRow(first, 1n), toLlmCallRow(other, 1n)])).toBe(2);
    // The retried export: the same spans again, once in a later batch and once twice within one.
    expect(await insertNewLlmCalls(db, [toLlmCallRow(first, 2n)])).toBe(0);
    expect(await insertNewLlmCalls(db, [toLlmCallRow(other, 3n), toLlmCallRow(other, 3n)])).toBe(0);

    expect(await traceCost(db, "default", first.traceId)).toEqual({
      calls: 2,
      unpricedCalls: 0,
      inputTokens: 2400,
      outputTokens: 600,
      cacheReadTokens: 2048,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costUsd: "0.004720000001",
    });
    expect(await costByDay(db, "default", "feature", { from: "2026-09-01", to: "2026-10-01" })).toEqual([
      { day: "2026-09-21", key: "ticket-summary", calls: 2, unpricedCalls: 0, costUsd: "0.004720000001" },
    ]);
  });

  it("keeps other projects' spans apart even with the same ids", async () => {
    const theirs = sampleCall({ projectId: "other" });
    expect(await insertNewLlmCalls(db, [toLlmCallRow(theirs, 1n)])).toBe(1);
    expect((await traceCost(db, "other", theirs.traceId)).calls).toBe(1);
    expect((await traceCost(db, "default", theirs.traceId)).calls).toBe(2);
  });

  it("stores every count of a call, the ones added by later migrations included", async () => {
    const call = sampleCall({
      traceId: "5c0ffee5c0ffee5c0ffee5c0ffee5c0f",
      tokens: {
        input: 9000,
        audioInput: 1500,
        output: 1000,
        audioOutput: 800,
        cacheRead: 1000,
        cacheWrite: 6000,
        cacheWrite1h: 4000,
        reasoning: 100,
        webSearches: 5,
      },
    });
    expect(await insertNewLlmCalls(db, [toLlmCallRow(call, 1n)])).toBe(1);
    const rows = await db.query(
      build(sql`SELECT input_tokens, audio_input_tokens, output_tokens, audio_output_tokens, cache_read_tokens,
          cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, web_searches
        FROM llm_calls FINAL WHERE trace_id = ${param("String", call.traceId)}`),
    );
    expect(rows).toEqual([
      {
        input_tokens: 9000,
        audio_input_tokens: 1500,
        output_tokens: 1000,
        audio_output_tokens: 800,
        cache_read_tokens: 1000,
        cache_write_tokens: 6000,
        cache_write_1h_tokens: 4000,
        reasoning_tokens: 100,
        web_searches: 5,
      },
    ]);
  });
}
