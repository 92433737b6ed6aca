import { sumUsd } from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { useQueryApi } from "./support/query-api-harness.js";
import { DAY1, KEYS, T } from "./support/query-api-seed.js";

const api = useQueryApi();
const read = KEYS.acmeRead.key;

const tokens = (input: number, output: number, cacheRead = 0, cacheWrite = 0, reasoning = 0) => ({
  input,
  output,
  cacheRead,
  cacheWrite,
  reasoning,
});
const ticketAttribution = {
  feature: "ticket-summary",
  user: "u-42",
  tenant: "acme-corp",
  agent: "triage",
  sessionId: "conv-7",
};
const computed = (input: string, output: string, cacheRead: string, cacheWrite: string, total: string) => ({
  source: "computed",
  priceVersion: "genai-prices@0.1.8",
  totalUsd: total,
  inputUsd: input,
  outputUsd: output,
  cacheReadUsd: cacheRead,
  cacheWriteUsd: cacheWrite,
});
const ZERO = "0.000000000000";
const call = (model: string, t: ReturnType<typeof tokens>, cost: object) => ({
  provider: "openai",
  operation: "chat",
  model,
  requestModel: model,
  responseModel: "",
  serviceTier: "",
  ...ticketAttribution,
  tokens: t,
  cost,
  estimated: false,
  status: "ok",
  errorType: "",
});
const span = (
  spanId: string,
  parentSpanId: string,
  depth: number,
  name: string,
  kind: string,
  start: string,
  durationMs: number,
  c: object | null,
  subtree: [number, number, string],
) => ({
  spanId,
  parentSpanId,
  depth,
  name,
  kind,
  service: "support-bot",
  startTime: `${DAY1}T${start}000000Z`, // start has milliseconds; storage keeps nanoseconds
  durationMs,
  status: "unset",
  call: c,
  subtree: { calls: subtree[0], unpricedCalls: subtree[1], pricedCostUsd: subtree[2] },
});

describe("GET /v1/traces/:traceId", () => {
  it("returns the span tree with cost on every call, totals, models and incidents", async () => {
    const res = await api.call("GET", `/v1/traces/${T.ticket}`, read);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      traceId: T.ticket,
      startTime: `${DAY1}T09:00:00.000000000Z`,
      endTime: `${DAY1}T09:00:05.000000000Z`,
      totals: {
        calls: 3,
        pricedCalls: 2,
        unpricedCalls: 1, // mystery-model-9000: counted, never valued at $0
        errorCalls: 0,
        estimatedCalls: 0,
        pricedCostUsd: "0.022560000000", // 0.0222 (gpt-4o) + 0.00036 (gpt-4o-mini)
        tokens: tokens(19_000, 700, 10_240),
        costBreakdown: {
          inputUsd: "0.004700000000", // 1760 * $2.50/M + 2000 * $0.15/M
          outputUsd: "0.005060000000", // 500 * $10/M + 100 * $0.60/M
          cacheReadUsd: "0.012800000000", // 10240 * $1.25/M
          cacheWriteUsd: ZERO,
        },
      },
      models: [
        {
          provider: "openai",
          model: "gpt-4o",
          calls: 1,
          unpricedCalls: 0,
          pricedCostUsd: "0.022200000000",
          tokens: tokens(12_000, 500, 10_240),
        },
        {
          provider: "openai",
          model: "gpt-4o-mini",
          calls: 1,
          unpricedCalls: 0,
          pricedCostUsd: "0.000360000000",
          tokens: tokens(2_000, 100),
        },
        {
          provider: "openai",
          model: "mystery-model-9000",
          calls: 1,
          unpricedCalls: 1,
          pricedCostUsd: ZERO,
          tokens: tokens(5_000, 100),
        },
      ],
      attribution: {
        services: ["support-bot"],
        features: ["ticket-summary"],
        users: ["u-42"],
        tenants: ["acme-corp"],
        agents: ["triage"],
        sessions: ["conv-7"],
      },
      spans: [
        span("0000000000000001", "", 0, "handle ticket", "Server", "09:00:00.000", 5_000, null, [
          3,
          1,
          "0.022560000000",
        ]),
        span(
          "0000000000000002",
          "0000000000000001",
          1,
          "chat gpt-4o",
          "Client",
          "09:00:01.000",
          1_200,
          call(
            "gpt-4o",
            tokens(12_000, 500, 10_240),
            computed("0.004400000000", "0.005000000000", "0.012800000000", ZERO, "0.022200000000"),
          ),
          [1, 0, "0.022200000000"],
        ),
        span(
          "0000000000000003",
          "0000000000000001",
          1,
          "execute_tool lookup_order",
          "Internal",
          "09:00:02.500",
          300,
          null,
          [1, 1, ZERO],
        ),
        span(
          "0000000000000004",
          "0000000000000003",
          2,
          "chat mystery-model-9000",
          "Client",
          "09:00:02.600",
          150,
          call("mystery-model-9000", tokens(5_000, 100), {
            source: "unpriced",
            priceVersion: "",
            totalUsd: null,
            inputUsd: null,
            outputUsd: null,
            cacheReadUsd: null,
            cacheWriteUsd: null,
          }),
          [1, 1, ZERO],
        ),
        span(
          "0000000000000005",
          "0000000000000001",
          1,
          "chat gpt-4o-mini",
          "Client",
          "09:00:03.000",
          800,
          call(
            "gpt-4o-mini",
            tokens(2_000, 100),
            computed("0.000300000000", "0.000060000000", ZERO, ZERO, "0.000360000000"),
          ),
          [1, 0, "0.000360000000"],
        ),
      ],
      incidents: [
        {
          id: "inc-loop-1",
          createdAt: `${DAY1}T09:00:04.000Z`,
          expiresAt: `${DAY1}T10:00:04.000Z`,
          detector: "D1",
          action: "warn",
          scope: { trace_id: T.ticket },
          reason: "identical call repeated 3 times",
          evidence: { repeats: 3, threshold: 3 },
          traceId: T.ticket,
          sessionId: "",
        },
      ],
      callsTruncated: false,
      spansTruncated: false,
    });
  });

  it("makes the trace's cost exactly the sum of its priced calls", async () => {
    for (const traceId of Object.values(T).filter((t) => t.startsWith("a"))) {
      const { body } = (await api.call("GET", `/v1/traces/${traceId}`, read)) as {
        body: {
          totals: { pricedCostUsd: string; calls: number; unpricedCalls: number };
          spans: { call: { cost: { totalUsd: string | null } } | null }[];
        };
      };
      const calls = body.spans.flatMap((s) => (s.call ? [s.call] : []));
      const priced = calls.flatMap((c) => (c.cost.totalUsd === null ? [] : [c.cost.totalUsd]));
      expect({
        traceId,
        total: body.totals.pricedCostUsd,
        calls: body.totals.calls,
        unpriced: body.totals.unpricedCalls,
      }).toEqual({
        traceId,
        total: sumUsd(priced),
        calls: calls.length,
        unpriced: calls.length - priced.length,
      });
    }
  });

  it("answers 404 for a trace that is not in the key's project", async () => {
    expect(await api.call("GET", `/v1/traces/${T.beta}`, read)).toMatchObject({
      status: 404,
      body: { status: 404, error: `no trace ${T.beta} in this project` },
    });
    expect((await api.call("GET", `/v1/traces/${T.beta}`, KEYS.betaRead.key)).status).toBe(200);
  });
});

describe("GET /v1/sessions/:id", () => {
  it("sums a session across its traces and lists them", async () => {
    const res = await api.call("GET", "/v1/sessions/conv-7", read);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      sessionId: "conv-7",
      startTime: `${DAY1}T09:00:01.000000000Z`,
      endTime: `${DAY1}T09:10:02.000000000Z`,
      totals: {
        calls: 4,
        pricedCalls: 3,
        unpricedCalls: 1,
        errorCalls: 0,
        estimatedCalls: 0,
        pricedCostUsd: "0.068310000000", // 0.02256 + 0.04575 (claude-sonnet-4-5)
        tokens: tokens(56_000, 1_500, 40_240, 5_000),
        costBreakdown: {
          inputUsd: "0.010700000000", // + 2000 uncached * $3/M
          outputUsd: "0.017060000000", // + 800 * $15/M
          cacheReadUsd: "0.021800000000", // + 30000 * $0.30/M
          cacheWriteUsd: "0.018750000000", // 5000 * $3.75/M
        },
      },
      models: [
        {
          provider: "anthropic",
          model: "claude-sonnet-4-5",
          calls: 1,
          unpricedCalls: 0,
          pricedCostUsd: "0.045750000000",
          tokens: tokens(37_000, 800, 30_000, 5_000),
        },
        {
          provider: "openai",
          model: "gpt-4o",
          calls: 1,
          unpricedCalls: 0,
          pricedCostUsd: "0.022200000000",
          tokens: tokens(12_000, 500, 10_240),
        },
        {
          provider: "openai",
          model: "gpt-4o-mini",
          calls: 1,
          unpricedCalls: 0,
          pricedCostUsd: "0.000360000000",
          tokens: tokens(2_000, 100),
        },
        {
          provider: "openai",
          model: "mystery-model-9000",
          calls: 1,
          unpricedCalls: 1,
          pricedCostUsd: ZERO,
          tokens: tokens(5_000, 100),
        },
      ],
      attribution: {
        services: ["support-bot"],
        features: ["ticket-summary"],
        users: ["u-42"],
        tenants: ["acme-corp"],
        agents: ["triage"],
        sessions: ["conv-7"],
      },
      traces: [
        {
          traceId: T.ticket,
          startTime: `${DAY1}T09:00:01.000000000Z`,
          endTime: `${DAY1}T09:00:03.800000000Z`,
          calls: 3,
          unpricedCalls: 1,
          pricedCostUsd: "0.022560000000",
        },
        {
          traceId: T.ticketFollowUp,
          startTime: `${DAY1}T09:10:00.000000000Z`,
          endTime: `${DAY1}T09:10:02.000000000Z`,
          calls: 1,
          unpricedCalls: 0,
          pricedCostUsd: "0.045750000000",
        },
      ],
      incidents: [
        {
          id: "inc-budget-2",
          createdAt: `${DAY1}T09:10:02.000Z`,
          expiresAt: "2026-11-03T00:00:00.000Z",
          detector: "budget",
          action: "kill",
          scope: { session_id: "conv-7" },
          reason: "session conv-7 spent $0.06 of its $0.05 budget",
          evidence: { spentUsd: "0.068310000000", limitUsd: "0.05" },
          traceId: T.ticketFollowUp,
          sessionId: "conv-7",
        },
      ],
      tracesTruncated: false,
    });
    expect((await api.call("GET", "/v1/sessions/conv-7", KEYS.betaRead.key)).body).toMatchObject({
      totals: { calls: 1, pricedCostUsd: "0.300000000000" },
    });
    expect((await api.call("GET", "/v1/sessions/nope", read)).status).toBe(404);
  });
});
