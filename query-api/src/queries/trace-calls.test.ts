import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClickHouse, migrate, openEmbedded } from "@burnrate/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spanCall } from "../schemas/trace.js";
import { modelsOf } from "../views/call-summary.js";
import { toSpanCall } from "../views/call-view.js";
import { listCalls, MAX_VIEW_CALLS, type ModelRow, scopeModels, traceScope } from "./trace-calls.js";

let db: ClickHouse;

beforeAll(async () => {
  db = await openEmbedded(join(mkdtempSync(join(tmpdir(), "burnrate-trace-calls-")), "data"));
  await migrate(db);
});
afterAll(() => db?.close());

/** A call of project `p`, 100 in / 10 out of gpt-4o for $0.00035, unless overridden. */
const call = (trace: string, span: string, second: number, over: Record<string, unknown> = {}) => ({
  project_id: "p",
  start_time: `2026-11-02 09:00:${String(second).padStart(2, "0")}.000000000`,
  trace_id: trace,
  span_id: span,
  service: "svc",
  feature: "f",
  provider: "openai",
  operation: "chat",
  request_model: "gpt-4o",
  input_tokens: 100,
  output_tokens: 10,
  cost_input: "0.00025",
  cost_output: "0.0001",
  cost_total: "0.00035",
  cost_source: "computed",
  status: "ok",
  duration_ns: 1_000_000,
  version: 1,
  ...over,
});

/** The calls FINAL keeps, in start order, as (span, cost). */
async function final(trace: string): Promise<[string, string][]> {
  const rows = await db.query<{ span_id: string; cost_total: string }>({
    query: `SELECT span_id, cost_total FROM llm_calls FINAL WHERE project_id = 'p' AND trace_id = {t:String}
      ORDER BY start_time, span_id`,
    params: { t: trace },
  });
  return rows.map((r) => [r.span_id, r.cost_total]);
}

describe("listCalls", () => {
  it("keeps the highest version of each span, as FINAL does, in start order", async () => {
    await db.insert("llm_calls", [
      call("t", "a", 1, { version: 5, cost_total: "0.1" }),
      call("t", "a", 1, { version: 9, cost_total: "0.2" }), // repriced: the newer version wins
      call("t", "b", 2, { version: 7, cost_total: "0.3" }),
      call("t", "b", 2, { version: 7, cost_total: "0.3" }), // the same export retried
      call("t", "c", 0, { version: 2, cost_total: "0.4" }),
    ]);
    const { calls, truncated } = await listCalls(db, traceScope("p", "t"));
    const listed = calls.map((c) => [c.span_id, c.cost_total]);
    expect({ listed, truncated }).toEqual({
      listed: [
        ["c", "0.400000000000"],
        ["a", "0.200000000000"],
        ["b", "0.300000000000"],
      ],
      truncated: false,
    });
    expect(listed).toEqual(await final("t"));
  });

  it("lists the first calls of a trace with more than a view holds, and says so", async () => {
    // Every call stored twice (a reprice): 2 x 20,001 rows, more than one list reads.
    for (const version of [1, 2]) {
      await db.command({
        query: `INSERT INTO llm_calls (project_id, start_time, trace_id, span_id, cost_total, cost_source, version)
          SELECT 'p', toDateTime64('2026-11-03 00:00:00', 9, 'UTC') + toIntervalSecond(number), 'runaway',
            leftPad(toString(number), 6, '0'), toDecimal128(${version} / 100, 12), 'computed', ${version}
          FROM numbers(${MAX_VIEW_CALLS + 1})`,
        params: {},
      });
    }
    const { calls, truncated } = await listCalls(db, traceScope("p", "runaway"));
    // The read stops after 40,000 rows; the copies of the last call read may go on past it.
    expect({ listed: calls.length, truncated }).toEqual({ listed: MAX_VIEW_CALLS - 1, truncated: true });
    expect(calls.map((c) => [c.span_id, c.cost_total])).toEqual(
      (await final("runaway")).slice(0, MAX_VIEW_CALLS - 1),
    );
  });
});

describe("a listed call's tokens", () => {
  it("show the one-hour part of the cache writes when there is one, and leave it out when there is none", async () => {
    await db.insert("llm_calls", [
      call("w", "1h", 1, {
        provider: "anthropic",
        request_model: "claude-sonnet-4-5",
        input_tokens: 10_000,
        output_tokens: 1_000,
        cache_write_tokens: 3_000,
        cache_write_1h_tokens: 2_000,
      }),
      call("w", "5m", 2, { cache_write_tokens: 1_500 }),
    ]);
    const tokens = (await listCalls(db, traceScope("p", "w"))).calls.map(
      (c) => spanCall.parse(toSpanCall(c)).tokens,
    );
    expect(tokens).toEqual([
      { input: 10_000, output: 1_000, cacheRead: 0, cacheWrite: 3_000, cacheWrite1h: 2_000, reasoning: 0 },
      { input: 100, output: 10, cacheRead: 0, cacheWrite: 1_500, reasoning: 0 },
    ]);
  });

  it("show the audio parts and web searches when there are any, and leave them out when there are none", async () => {
    await db.insert("llm_calls", [
      call("a", "audio", 1, {
        request_model: "gpt-audio",
        input_tokens: 2_000,
        audio_input_tokens: 1_500,
        output_tokens: 1_000,
        audio_output_tokens: 800,
      }),
      call("a", "search", 2, {
        provider: "anthropic",
        request_model: "claude-sonnet-4-5",
        input_tokens: 2_000,
        output_tokens: 300,
        web_searches: 5,
      }),
      call("a", "text", 3),
    ]);
    const tokens = (await listCalls(db, traceScope("p", "a"))).calls.map(
      (c) => spanCall.parse(toSpanCall(c)).tokens,
    );
    expect(tokens).toEqual([
      {
        input: 2_000,
        audioInput: 1_500,
        output: 1_000,
        audioOutput: 800,
        cacheRead: 0,
        cacheWrite: 0,
        reasoning: 0,
      },
      { input: 2_000, output: 300, cacheRead: 0, cacheWrite: 0, reasoning: 0, webSearches: 5 },
      { input: 100, output: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    ]);
  });
});

describe("scopeModels", () => {
  it("sums every call per model in SQL exactly as modelsOf sums a list that holds them all", async () => {
    await db.insert("llm_calls", [
      call("m", "1", 1, { response_model: "gpt-4o-2024-08-06", user_id: "u1", session_id: "s" }),
      call("m", "2", 2, {
        cache_read_tokens: 64,
        cost_cache_read: "0.00008",
        cost_total: "0.00043",
        user_id: "u2",
      }),
      call("m", "3", 3, {
        request_model: "mystery",
        cost_source: "unpriced",
        cost_input: "0",
        cost_output: "0",
      }),
      call("m", "4", 4, { status: "error", error_type: "RateLimitError", estimated: true, agent: "planner" }),
      call("m", "4", 4, { status: "error", error_type: "RateLimitError", estimated: true, agent: "planner" }),
      call("m", "5", 5, { provider: "anthropic", request_model: "claude-sonnet-4-5", reasoning_tokens: 7 }),
      call("m", "5", 5, {
        provider: "anthropic",
        request_model: "claude-sonnet-4-5",
        cost_total: "1",
        version: 2,
      }),
    ]);
    const scope = traceScope("p", "m");
    const inSql = await scopeModels(db, scope);
    const fromList = modelsOf((await listCalls(db, scope)).calls);
    expect(normalised(inSql)).toEqual(normalised(fromList));
    expect(normalised(inSql).map((m) => [m.provider, m.model, m.calls, m.costTotal])).toEqual([
      ["anthropic", "claude-sonnet-4-5", 1, "1.000000000000"],
      ["openai", "gpt-4o", 2, "0.000780000000"],
      ["openai", "gpt-4o-2024-08-06", 1, "0.000350000000"],
      ["openai", "mystery", 1, "0.000000000000"],
    ]);
  });
});

/** Rows by model, attribution sorted: SQL gives both in no particular order. */
function normalised(rows: ModelRow[]): ModelRow[] {
  const sorted = (values: string[]) => [...values].sort();
  return rows
    .map((r) => ({
      ...r,
      services: sorted(r.services),
      features: sorted(r.features),
      users: sorted(r.users),
      tenants: sorted(r.tenants),
      agents: sorted(r.agents),
      sessions: sorted(r.sessions),
    }))
    .sort((a, b) => (a.provider + a.model < b.provider + b.model ? -1 : 1));
}
