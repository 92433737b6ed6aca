import { describe, expect, it } from "vitest";
import { callRow, useEmptyStoreApi } from "./support/empty-store-api.js";

const api = useEmptyStoreApi(new Date("2026-11-10T00:00:00Z"));
const ZERO = "0.000000000000";
const tokens = (input: number, output: number) => ({
  input,
  output,
  cacheRead: 0,
  cacheWrite: 0,
  reasoning: 0,
});

/**
 * `n` calls of project `default`, one a second from 2026-11-03T00:00Z (each lasting 1 ms), 100
 * tokens in and 10 out; `trace` and `model` are ClickHouse expressions of `number`.
 */
async function insertCalls(n: number, over: { session: string; trace: string; model: string; cost: string }) {
  await api.db.command({
    query: `INSERT INTO llm_calls (project_id, start_time, trace_id, span_id, session_id, service, agent, feature,
        user_id, provider, operation, request_model, input_tokens, output_tokens, cost_input, cost_total,
        cost_source, status, duration_ns, version)
      SELECT 'default', toDateTime64('2026-11-03 00:00:00', 9, 'UTC') + toIntervalSecond(number),
        ${over.trace}, leftPad(toString(number), 6, '0'), '${over.session}', 'svc', 'looper', 'f', 'u', 'openai', 'chat',
        ${over.model}, 100, 10, ${over.cost}, ${over.cost}, 'computed', 'ok', 1000000, 1
      FROM numbers(${n})`,
    params: {},
  });
}

const attribution = (sessions: string[]) => ({
  services: ["svc"],
  features: ["f"],
  users: ["u"],
  tenants: [],
  agents: ["looper"],
  sessions,
});
const totals = (calls: number, cost: string) => ({
  calls,
  pricedCalls: calls,
  unpricedCalls: 0,
  errorCalls: 0,
  estimatedCalls: 0,
  pricedCostUsd: cost,
  tokens: tokens(100 * calls, 10 * calls),
  costBreakdown: { inputUsd: cost, outputUsd: ZERO, cacheReadUsd: ZERO, cacheWriteUsd: ZERO },
});
const model = (name: string, calls: number, cost: string) => ({
  provider: "openai",
  model: name,
  calls,
  unpricedCalls: 0,
  pricedCostUsd: cost,
  tokens: tokens(100 * calls, 10 * calls),
});

describe("trace and session views of a runaway loop (more calls than a view lists)", () => {
  it("totals every call of a 25,000-call trace in SQL and says the span tree lists fewer", async () => {
    // 20,000 gpt-4o calls at $0.01, then 5,000 gpt-4o-mini calls at $0.002: the list is cut
    // at 20,000 calls, so every gpt-4o-mini call is beyond it.
    await insertCalls(25_000, {
      session: "",
      trace: "'runaway'",
      model: "if(number < 20000, 'gpt-4o', 'gpt-4o-mini')",
      cost: "toDecimal128(if(number < 20000, '0.01', '0.002'), 12)",
    });
    // A reprice rewrote the first 100 calls at $0.02 (version 2); they count once, at $0.02.
    await api.db.command({
      query: `INSERT INTO llm_calls (project_id, start_time, trace_id, span_id, service, agent, feature, user_id,
          provider, operation, request_model, input_tokens, output_tokens, cost_input, cost_total, cost_source,
          status, duration_ns, version)
        SELECT project_id, start_time, trace_id, span_id, service, agent, feature, user_id, provider, operation,
          request_model, input_tokens, output_tokens, toDecimal128('0.02', 12), toDecimal128('0.02', 12),
          cost_source, status, duration_ns, 2
        FROM llm_calls WHERE trace_id = 'runaway' AND span_id < '000100'`,
      params: {},
    });
    const res = await api.get("/v1/traces/runaway");
    expect(res.status).toBe(200);
    const body = res.body as { spans: { spanId: string; call: { cost: { totalUsd: string } } }[] };
    expect({ ...body, spans: body.spans.length }).toEqual({
      traceId: "runaway",
      startTime: "2026-11-03T00:00:00.000000000Z",
      endTime: "2026-11-03T06:56:39.001000000Z", // the 25,000th call's end, though it is not listed
      totals: totals(25_000, "211.000000000000"), // 100 x 0.02 + 19,900 x 0.01 + 5,000 x 0.002
      models: [model("gpt-4o", 20_000, "201.000000000000"), model("gpt-4o-mini", 5_000, "10.000000000000")],
      attribution: attribution([]),
      spans: 20_000,
      incidents: [],
      callsTruncated: true,
      spansTruncated: false,
    });
    // The tree lists the first 20,000 calls by start time, each at its latest version.
    expect(body.spans[0]).toMatchObject({ spanId: "000000", call: { cost: { totalUsd: "0.020000000000" } } });
    expect(body.spans.at(-1)).toMatchObject({
      spanId: "019999",
      call: { cost: { totalUsd: "0.010000000000" } },
    });
  });

  it("totals every call of a 25,000-call session and lists each trace exactly", async () => {
    await insertCalls(25_000, {
      session: "conv-big",
      trace: "concat('x', leftPad(toString(intDiv(number, 10)), 4, '0'))",
      model: "'gpt-4o'",
      cost: "toDecimal128('0.01', 12)",
    });
    const res = await api.get("/v1/sessions/conv-big");
    expect(res.status).toBe(200);
    const trace = (i: number) => ({
      traceId: `x${String(i).padStart(4, "0")}`,
      startTime: `2026-11-03T${clock(i * 10)}.000000000Z`,
      endTime: `2026-11-03T${clock(i * 10 + 9)}.001000000Z`,
      calls: 10,
      unpricedCalls: 0,
      pricedCostUsd: "0.100000000000",
    });
    expect(res.body).toEqual({
      sessionId: "conv-big",
      startTime: "2026-11-03T00:00:00.000000000Z",
      endTime: "2026-11-03T06:56:39.001000000Z",
      totals: totals(25_000, "250.000000000000"),
      models: [model("gpt-4o", 25_000, "250.000000000000")],
      attribution: attribution(["conv-big"]),
      traces: Array.from({ length: 2_500 }, (_, i) => trace(i)),
      tracesTruncated: false,
      incidents: [],
    });
  });

  it("says when a session has more traces than it lists", async () => {
    await insertCalls(20_001, {
      session: "conv-wide",
      trace: "concat('w', leftPad(toString(number), 5, '0'))",
      model: "'gpt-4o'",
      cost: "toDecimal128('0.01', 12)",
    });
    const res = await api.get("/v1/sessions/conv-wide");
    const body = res.body as { traces: { traceId: string }[] };
    expect({ ...body, traces: body.traces.length }).toEqual({
      sessionId: "conv-wide",
      startTime: "2026-11-03T00:00:00.000000000Z",
      endTime: "2026-11-03T05:33:20.001000000Z",
      totals: totals(20_001, "200.010000000000"),
      models: [model("gpt-4o", 20_001, "200.010000000000")],
      attribution: attribution(["conv-wide"]),
      traces: 20_000,
      tracesTruncated: true,
      incidents: [],
    });
    expect(body.traces.at(-1)).toMatchObject({ traceId: "w19999" });
  });

  it("documents both flags in the OpenAPI document", async () => {
    const { body } = await api.get("/openapi.json");
    const schema = (path: string) =>
      (
        body as {
          paths: Record<
            string,
            { get: { responses: { 200: { content: Record<string, { schema: unknown }> } } } }
          >;
        }
      ).paths[path]!.get.responses[200].content["application/json"]!.schema as {
        properties: Record<string, unknown>;
        required: string[];
      };
    const trace = schema("/v1/traces/{traceId}");
    expect(trace.properties.callsTruncated).toMatchObject({ type: "boolean" });
    expect(trace.properties.spansTruncated).toMatchObject({ type: "boolean" });
    expect(trace.required).toEqual(expect.arrayContaining(["callsTruncated", "spansTruncated"]));
    const session = schema("/v1/sessions/{id}");
    expect(session.properties.tracesTruncated).toMatchObject({ type: "boolean" });
    expect(session.required).toContain("tracesTruncated");
  });
});

describe("the span tree of a trace with more spans than a view lists", () => {
  it("lists the first 20,000 spans by start time and says the others were left out", async () => {
    // An agent root and 20,000 tool spans under it, one a millisecond: 20,001 spans.
    await api.db.command({
      query: `INSERT INTO spans (ProjectId, Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind,
          ServiceName, Duration, StatusCode)
        SELECT 'default', toDateTime64('2026-11-03 00:00:00', 9, 'UTC') + toIntervalMillisecond(number),
          'wide', leftPad(toString(number), 6, '0'), if(number = 0, '', '000000'),
          if(number = 0, 'agent run', 'execute_tool read_file'), 'Internal', 'svc', 1000, 'Ok'
        FROM numbers(20001)`,
      params: {},
    });
    const res = await api.get("/v1/traces/wide");
    const body = res.body as {
      spans: { spanId: string }[];
      callsTruncated: boolean;
      spansTruncated: boolean;
    };
    expect({
      status: res.status,
      listed: body.spans.length,
      last: body.spans.at(-1)?.spanId,
      callsTruncated: body.callsTruncated,
      spansTruncated: body.spansTruncated,
    }).toEqual({ status: 200, listed: 20_000, last: "019999", callsTruncated: false, spansTruncated: true });
  });
});

describe("the span tree of a long agent run", () => {
  it("finds spans that started hours before the first LLM call and after the last", async () => {
    const span = (
      id: string,
      parent: string,
      at: string,
      name: string,
      durationS: number,
      project = "default",
    ) => ({
      ProjectId: project,
      Timestamp: `${at}.000000000`,
      TraceId: "long-run",
      SpanId: id,
      ParentSpanId: parent,
      SpanName: name,
      SpanKind: "Internal",
      ServiceName: "svc",
      Duration: durationS * 1e9,
      StatusCode: "Ok",
    });
    await api.db.insert("spans", [
      span("root", "", "2026-11-01 13:00:00", "agent run", 34 * 3600), // 20 h before its first LLM call
      span("crawl", "root", "2026-11-01 13:05:00", "crawl", 600),
      { ...span("s1", "root", "2026-11-02 09:00:00", "chat gpt-4o", 0.001), SpanKind: "Client" },
      span("report", "root", "2026-11-02 20:00:00", "write report", 3600), // 11 h after it
      span("other", "", "2026-11-02 09:00:00", "not ours", 1, "other-project"),
    ]);
    await api.db.insert("llm_calls", [callRow({ trace_id: "long-run", parent_span_id: "root" })]);
    const res = await api.get("/v1/traces/long-run");
    const node = (spanId: string, parentSpanId: string, depth: number, name: string, kind: string) => ({
      spanId,
      parentSpanId,
      depth,
      name,
      kind,
      service: "svc",
      status: "ok",
    });
    const spans = (res.body as { spans: Record<string, unknown>[] }).spans;
    expect(
      spans.map(({ startTime, durationMs, call, subtree, ...s }) => ({
        ...s,
        startTime,
        durationMs,
        calls: subtree,
      })),
    ).toEqual([
      {
        ...node("root", "", 0, "agent run", "Internal"),
        startTime: "2026-11-01T13:00:00.000000000Z",
        durationMs: 34 * 3600 * 1000,
        calls: { calls: 1, unpricedCalls: 0, pricedCostUsd: "0.000350000000" },
      },
      {
        ...node("crawl", "root", 1, "crawl", "Internal"),
        startTime: "2026-11-01T13:05:00.000000000Z",
        durationMs: 600_000,
        calls: { calls: 0, unpricedCalls: 0, pricedCostUsd: ZERO },
      },
      {
        ...node("s1", "root", 1, "chat gpt-4o", "Client"),
        startTime: "2026-11-02T09:00:00.000000000Z",
        durationMs: 1,
        calls: { calls: 1, unpricedCalls: 0, pricedCostUsd: "0.000350000000" },
      },
      {
        ...node("report", "root", 1, "write report", "Internal"),
        startTime: "2026-11-02T20:00:00.000000000Z",
        durationMs: 3_600_000,
        calls: { calls: 0, unpricedCalls: 0, pricedCostUsd: ZERO },
      },
    ]);
    expect(res.body).toMatchObject({
      startTime: "2026-11-01T13:00:00.000000000Z",
      endTime: "2026-11-02T23:00:00.000000000Z",
      callsTruncated: false,
      spansTruncated: false,
    });
    expect(api.errors).toEqual([]);
  });
});

/** `HH:MM:SS` of a second of the day. */
function clock(second: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(second / 3600))}:${pad(Math.floor(second / 60) % 60)}:${pad(second % 60)}`;
}
