import { describe, expect, it } from "vitest";
import { useQueryApi } from "./support/query-api-harness.js";
import { KEYS, T } from "./support/query-api-seed.js";

const api = useQueryApi();
const read = KEYS.acmeRead.key;
const admin = KEYS.acmeAdmin.key;
const RANGE = "from=2026-11-01&to=2026-11-05";

describe("authentication", () => {
  it("answers 401 without a key or with an unknown one, and 403 for the wrong role", async () => {
    const missing = await api.call("GET", `/v1/traces?${RANGE}`);
    expect(missing).toMatchObject({
      status: 401,
      body: {
        status: 401,
        error: "missing API key: send `Authorization: Bearer <key>` or `x-burnrate-api-key`",
      },
    });
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="burnrate"');
    expect(await api.call("GET", `/v1/costs?groupBy=feature`, "not-a-key-0000000000")).toMatchObject({
      status: 401,
      body: { status: 401, error: "unknown API key" },
    });
    expect(await api.call("GET", `/v1/costs?groupBy=feature`, KEYS.acmeIngest.key)).toMatchObject({
      status: 403,
      body: { status: 403, error: "this API key has the ingest role; this needs read" },
    });
    expect(await api.call("PUT", "/v1/budgets/b1", read, { scope: "trace", limitUsd: "1" })).toMatchObject({
      status: 403,
      body: { status: 403, error: "this API key has the read role; this needs admin" },
    });
  });

  it("takes the key in x-burnrate-api-key too, and needs none for /healthz and /openapi.json", async () => {
    const res = await fetch(`${api.url}/v1/budgets`, { headers: { "x-burnrate-api-key": read } });
    expect(res.status).toBe(200);
    expect(await api.call("GET", "/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect((await api.call("GET", "/openapi.json")).status).toBe(200);
  });
});

describe("project isolation", () => {
  const beta = KEYS.betaRead.key;

  it("shows project beta only its own data, under the same names as acme's", async () => {
    expect((await api.call("GET", `/v1/costs?${RANGE}&groupBy=feature,user`, beta)).body).toMatchObject({
      groups: [
        { key: { feature: "ticket-summary", user: "u-42" }, calls: 1, pricedCostUsd: "0.300000000000" },
      ],
      totals: { calls: 1, unpricedCalls: 0, pricedCostUsd: "0.300000000000" },
    });
    const traces = (await api.call("GET", `/v1/traces?${RANGE}`, beta)).body as {
      traces: { traceId: string }[];
    };
    expect(traces.traces.map((t) => t.traceId)).toEqual([T.beta]);
    expect((await api.call("GET", `/v1/incidents?${RANGE}`, beta)).body).toMatchObject({
      incidents: [{ id: "inc-beta-3", evidence: "not json" }],
    });
    expect((await api.call("GET", "/v1/incidents/inc-beta-3", read)).status).toBe(404);
    expect(
      (await api.call("POST", "/v1/whatif", beta, { ...range(), target: { serviceTier: "batch" } })).body,
    ).toMatchObject({
      slice: { calls: 1, pricedCostUsd: "0.300000000000" },
      counterfactual: { costUsd: "0.150000000000" },
    });
    expect((await api.call("GET", `/v1/insights?${RANGE}&minCalls=2`, beta)).body).toMatchObject({
      insights: [],
    });
  });

  it("keeps budgets per project", async () => {
    await api.call("PUT", "/v1/budgets/acme-only", admin, { scope: "trace", limitUsd: "1000" });
    expect((await api.call("GET", "/v1/budgets", beta)).body).toEqual({ budgets: [] });
    expect((await api.call("DELETE", "/v1/budgets/acme-only", KEYS.betaRead.key)).status).toBe(403);
    expect((await api.call("DELETE", "/v1/budgets/acme-only", admin)).status).toBe(204);
  });
});

function range() {
  return { from: "2026-11-01", to: "2026-11-05" };
}

describe("budgets", () => {
  it("are created, listed, replaced and deleted by an admin key, in the budgets table", async () => {
    expect((await api.call("GET", "/v1/budgets", read)).body).toEqual({ budgets: [] });
    const put = await api.call("PUT", "/v1/budgets/daily-per-user", admin, {
      scope: "user",
      period: "day",
      limitUsd: "500.25",
    });
    const created = {
      id: "daily-per-user",
      scope: "user",
      match: "",
      period: "day",
      limitUsd: "500.250000000000",
      alertAt: [0.5, 0.8, 1],
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    };
    expect(put).toMatchObject({ status: 200, body: created });
    await api.call("PUT", "/v1/budgets/checkout-monthly", admin, {
      scope: "feature",
      match: "checkout",
      period: "month",
      limitUsd: "900",
      alertAt: [0.9, 1],
    });
    await api.call("PUT", "/v1/budgets/daily-per-user", admin, {
      scope: "user",
      period: "day",
      limitUsd: "600",
    });
    expect((await api.call("GET", "/v1/budgets", read)).body).toEqual({
      budgets: [
        {
          id: "checkout-monthly",
          scope: "feature",
          match: "checkout",
          period: "month",
          limitUsd: "900.000000000000",
          alertAt: [0.9, 1],
          updatedAt: expect.any(String),
        },
        { ...created, limitUsd: "600.000000000000" },
      ],
    });
    // What the collector's budget detector reads: one live row per budget.
    expect(
      await api.collector.db.query({
        query:
          "SELECT project_id, id, scope, match, period, limit_usd, alert_at FROM budgets FINAL ORDER BY id",
        params: {},
      }),
    ).toEqual([
      {
        project_id: "acme",
        id: "checkout-monthly",
        scope: "feature",
        match: "checkout",
        period: "month",
        limit_usd: "900.000000000000",
        alert_at: [0.9, 1],
      },
      {
        project_id: "acme",
        id: "daily-per-user",
        scope: "user",
        match: "",
        period: "day",
        limit_usd: "600.000000000000",
        alert_at: [0.5, 0.8, 1],
      },
    ]);
    expect((await api.call("DELETE", "/v1/budgets/checkout-monthly", admin)).status).toBe(204);
    expect(await api.call("DELETE", "/v1/budgets/checkout-monthly", admin)).toMatchObject({
      status: 404,
      body: { error: "no budget checkout-monthly in this project" },
    });
    expect((await api.call("GET", "/v1/budgets", read)).body).toMatchObject({
      budgets: [{ id: "daily-per-user" }],
    });
    await api.call("DELETE", "/v1/budgets/daily-per-user", admin);
  });

  it.each([
    [{ scope: "user", limitUsd: "5" }, "period", "must be day or month for a user budget"],
    [{ scope: "trace", period: "day", limitUsd: "5" }, "period", "must be null for a trace budget"],
    [
      { scope: "team", limitUsd: "5" },
      "scope",
      'Invalid option: expected one of "trace"|"session"|"user"|"feature"|"tenant"',
    ],
    [{ scope: "trace", limitUsd: 5 }, "limitUsd", "Invalid input: expected string, received number"],
    [{ scope: "trace", limitUsd: "0.00" }, "limitUsd", "must be more than $0"],
    [{ scope: "trace", limitUsd: "1", alertAt: [0.8, 0.5] }, "alertAt", "must be strictly increasing"],
    [{ scope: "trace", limitUsd: "1", alertAt: [1.5] }, "alertAt.0", "Too big: expected number to be <=1"],
  ])("refuses %j with a 400 naming %s", async (body, path, message) => {
    const res = await api.call("PUT", "/v1/budgets/b-1", admin, body);
    expect(res.status).toBe(400);
    expect((res.body as { issues: unknown[] }).issues).toContainEqual({ location: "body", path, message });
  });

  it("refuses a bad id, naming it", async () => {
    const res = await api.call("PUT", "/v1/budgets/has%20space", admin, { scope: "trace", limitUsd: "1" });
    expect(res).toMatchObject({
      status: 400,
      body: {
        issues: [
          { location: "params", path: "id", message: "must be 1-128 letters, digits, '_', '.', ':' or '-'" },
        ],
      },
    });
  });
});
