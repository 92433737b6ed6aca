import { describe, expect, it } from "vitest";
import { countRows } from "./support/collector.js";
import { useQueryApi } from "./support/query-api-harness.js";
import { DAY1, DAY2, EVIL, KEYS, T } from "./support/query-api-seed.js";

const api = useQueryApi();
const read = KEYS.acmeRead.key;
const RANGE = "from=2026-11-01&to=2026-11-05";
const ZERO = "0.000000000000";

const totals = (
  calls: number,
  unpriced: number,
  cost: string,
  [input, output, cacheRead = 0, cacheWrite = 0]: number[],
) => ({
  calls,
  pricedCalls: calls - unpriced,
  unpricedCalls: unpriced,
  errorCalls: 0,
  pricedCostUsd: cost,
  tokens: { input, output, cacheRead, cacheWrite, reasoning: 0 },
});

describe("GET /v1/costs", () => {
  it("groups by feature and day from the rollup, most expensive first, with exact totals", async () => {
    const res = await api.call("GET", `/v1/costs?${RANGE}&groupBy=feature,day`, read);
    expect(res).toMatchObject({ status: 200 });
    expect(res.body).toEqual({
      range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
      groupBy: ["feature", "day"],
      source: "rollup",
      groups: [
        { key: { feature: "rag-answer", day: DAY1 }, ...totals(3, 0, "0.085500000000", [24_000, 900]) },
        {
          key: { feature: "ticket-summary", day: DAY1 },
          ...totals(4, 1, "0.068310000000", [56_000, 1_500, 40_240, 5_000]),
        },
        { key: { feature: "digest", day: DAY1 }, ...totals(3, 0, "0.028500000000", [9_000, 600]) },
        { key: { feature: "ticket-summary", day: DAY2 }, ...totals(1, 0, "0.002100000000", [10_000, 1_000]) },
        { key: { feature: EVIL.feature, day: DAY1 }, ...totals(1, 1, ZERO, [100, 10]) },
      ],
      // Project beta's $0.30 call under the same feature and user is not here.
      totals: totals(12, 2, "0.184410000000", [99_100, 4_010, 40_240, 5_000]),
      truncated: false,
    });
  });

  it("reads the calls when the range is not whole minutes, and gets the same answer", async () => {
    const rollup = (await api.call("GET", `/v1/costs?${RANGE}&groupBy=model,provider&sort=key`, read))
      .body as {
      groups: unknown[];
      totals: unknown;
    };
    const calls = await api.call(
      "GET",
      "/v1/costs?from=2026-11-01T00:00:00.5Z&to=2026-11-05&groupBy=model,provider&sort=key",
      read,
    );
    expect(calls.body).toMatchObject({ source: "calls", groups: rollup.groups, totals: rollup.totals });
    expect(rollup.groups).toEqual([
      {
        key: { model: "claude-sonnet-4-5", provider: "anthropic" },
        ...totals(4, 0, "0.131250000000", [61_000, 1_700, 30_000, 5_000]),
      },
      {
        key: { model: "gpt-4o", provider: "openai" },
        ...totals(4, 0, "0.050700000000", [21_000, 1_100, 10_240]),
      },
      { key: { model: EVIL.model, provider: EVIL.provider }, ...totals(1, 1, ZERO, [100, 10]) },
      {
        key: { model: "gpt-4o-mini", provider: "openai" },
        ...totals(2, 0, "0.002460000000", [12_000, 1_100]),
      },
      { key: { model: "mystery-model-9000", provider: "openai" }, ...totals(1, 1, ZERO, [5_000, 100]) },
    ]);
  });

  it("applies trace filters (incidents, minimum cost) and hour buckets", async () => {
    const incidents = await api.call("GET", `/v1/costs?${RANGE}&groupBy=model&hasIncident=true`, read);
    expect(incidents.body).toMatchObject({
      source: "calls",
      groups: [
        { key: { model: "claude-sonnet-4-5" }, pricedCostUsd: "0.045750000000", calls: 1 },
        { key: { model: "gpt-4o" }, pricedCostUsd: "0.022200000000", calls: 1 },
        { key: { model: "gpt-4o-mini" }, pricedCostUsd: "0.000360000000", calls: 1 },
        { key: { model: "mystery-model-9000" }, pricedCostUsd: ZERO, calls: 1, unpricedCalls: 1 },
      ],
      totals: totals(4, 1, "0.068310000000", [56_000, 1_500, 40_240, 5_000]),
    });
    const hours = await api.call(
      "GET",
      `/v1/costs?${RANGE}&groupBy=hour,service&service=nightly-digest`,
      read,
    );
    expect(hours.body).toMatchObject({
      groups: [
        {
          key: { hour: `${DAY1}T02:00:00Z`, service: "nightly-digest" },
          ...totals(3, 0, "0.028500000000", [9_000, 600]),
        },
      ],
    });
    const expensive = await api.call("GET", `/v1/costs?${RANGE}&groupBy=user&minCost=0.04`, read);
    expect(expensive.body).toMatchObject({
      groups: [{ key: { user: "u-42" }, ...totals(1, 0, "0.045750000000", [37_000, 800, 30_000, 5_000]) }],
    });
  });

  it("says when groups were cut by the limit", async () => {
    const res = await api.call("GET", `/v1/costs?${RANGE}&groupBy=user&limit=2`, read);
    expect(res.body).toMatchObject({
      // The digest calls carry no user: "" is a group of its own.
      groups: [{ key: { user: "u-42" } }, { key: { user: "" } }],
      truncated: true,
      totals: { calls: 12 },
    });
  });
});

describe("GET /v1/costs/timeseries", () => {
  it("returns the most expensive series with their buckets", async () => {
    const res = await api.call(
      "GET",
      `/v1/costs/timeseries?${RANGE}&bucket=day&groupBy=feature&limit=2`,
      read,
    );
    expect(res.body).toEqual({
      range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
      bucket: "day",
      groupBy: ["feature"],
      source: "rollup",
      series: [
        {
          key: { feature: "rag-answer" },
          pricedCostUsd: "0.085500000000",
          points: [
            { time: `${DAY1}T00:00:00Z`, calls: 3, unpricedCalls: 0, pricedCostUsd: "0.085500000000" },
          ],
        },
        {
          key: { feature: "ticket-summary" },
          pricedCostUsd: "0.070410000000",
          points: [
            { time: `${DAY1}T00:00:00Z`, calls: 4, unpricedCalls: 1, pricedCostUsd: "0.068310000000" },
            { time: `${DAY2}T00:00:00Z`, calls: 1, unpricedCalls: 0, pricedCostUsd: "0.002100000000" },
          ],
        },
      ],
      truncated: true,
    });
  });

  it("gives one series without groupBy, and refuses too many buckets naming `bucket`", async () => {
    const one = await api.call(
      "GET",
      "/v1/costs/timeseries?from=2026-11-02T02:00Z&to=2026-11-02T03:00Z&bucket=minute",
      read,
    );
    expect(one.body).toMatchObject({
      groupBy: [],
      series: [
        {
          key: {},
          pricedCostUsd: "0.028500000000",
          points: [
            { time: `${DAY1}T02:00:00Z`, calls: 1, unpricedCalls: 0, pricedCostUsd: "0.009500000000" },
            { time: `${DAY1}T02:05:00Z`, calls: 1, unpricedCalls: 0, pricedCostUsd: "0.009500000000" },
            { time: `${DAY1}T02:10:00Z`, calls: 1, unpricedCalls: 0, pricedCostUsd: "0.009500000000" },
          ],
        },
      ],
      truncated: false,
    });
    const tooMany = await api.call(
      "GET",
      "/v1/costs/timeseries?from=2026-01-01&to=2026-11-01&bucket=minute",
      read,
    );
    expect(tooMany).toMatchObject({
      status: 400,
      body: {
        issues: [
          {
            location: "query",
            path: "bucket",
            message:
              "the range holds 437760 minutes; at most 10000 buckets, so use a larger bucket or a narrower range",
          },
        ],
      },
    });
  });

  it("defaults minute buckets to the day before `to`, a range they can cover", async () => {
    const series = async (query: string) => {
      const res = await api.call("GET", `/v1/costs/timeseries?${query}`, read);
      expect(res.status).toBe(200);
      return res.body as { range: { from: string; to: string }; series: { points: { time: string }[] }[] };
    };
    const now = await series("bucket=minute");
    expect(Date.parse(now.range.to) - Date.parse(now.range.from)).toBe(86_400_000);
    const dayOne = await series(`bucket=minute&to=${DAY2}`);
    expect(dayOne.range).toEqual({ from: `${DAY1}T00:00:00.000Z`, to: `${DAY2}T00:00:00.000Z` });
    expect(dayOne.series[0]!.points.map((p) => p.time)).toContain(`${DAY1}T02:00:00Z`);
    // Other buckets keep the usual seven days.
    expect((await series(`bucket=hour&to=${DAY2}`)).range.from).toBe("2026-10-27T00:00:00.000Z");
  });
});

describe("injection attempts in every filter", () => {
  const dimensions = Object.keys(EVIL) as (keyof typeof EVIL)[];

  it.each(dimensions)("%s: matched exactly and returned verbatim as a group key", async (dimension) => {
    const value = encodeURIComponent(EVIL[dimension]);
    const costs = await api.call(
      "GET",
      `/v1/costs?${RANGE}&groupBy=${dimension}&${dimension}=${value}`,
      read,
    );
    expect(costs.body).toMatchObject({
      groups: [{ key: { [dimension]: EVIL[dimension] }, ...totals(1, 1, ZERO, [100, 10]) }],
      totals: totals(1, 1, ZERO, [100, 10]),
    });
    const traces = await api.call("GET", `/v1/traces?${RANGE}&${dimension}=${value}`, read);
    expect((traces.body as { traces: { traceId: string }[] }).traces.map((t) => t.traceId)).toEqual([T.evil]);
    const series = await api.call(
      "GET",
      `/v1/costs/timeseries?${RANGE}&bucket=day&groupBy=${dimension}&${dimension}=${value}`,
      read,
    );
    expect(series.body).toMatchObject({ series: [{ key: { [dimension]: EVIL[dimension] } }] });
    const whatif = await api.call("POST", "/v1/whatif", read, {
      from: "2026-11-01",
      to: "2026-11-05",
      [dimension]: EVIL[dimension],
      target: { model: "gpt-4o-mini", provider: "openai" },
    });
    expect(whatif.body).toMatchObject({ slice: { calls: 1, unpricedCalls: 1 } });
    // A near miss matches nothing: the value is compared, not interpreted.
    const near = await api.call(
      "GET",
      `/v1/costs?${RANGE}&groupBy=${dimension}&${dimension}=${value}%20`,
      read,
    );
    expect(near.body).toMatchObject({ groups: [], totals: { calls: 0 } });
  });

  it("leaves every table in place", async () => {
    expect(await countRows(api.collector.db, "llm_calls")).toBe(13);
    expect(await countRows(api.collector.db, "spans")).toBe(15);
    expect(api.errors).toEqual([]);
  });
});

describe("invalid parameters", () => {
  it.each([
    [
      "/v1/costs?groupBy=color",
      "groupBy.0",
      'Invalid option: expected one of "service"|"feature"|"user"|"tenant"|"agent"|"provider"|"model"|"operation"|"day"|"hour"',
    ],
    ["/v1/costs?groupBy=feature,feature", "groupBy", "must not repeat a key"],
    ["/v1/costs?groupBy=feature,day,model,user", "groupBy", "Too big: expected array to have <=3 items"],
    ["/v1/costs?groupBy=feature&limit=10001", "limit", "Too big: expected number to be <=10000"],
    [
      "/v1/costs?groupBy=feature&from=2024-01-01&to=2026-01-01",
      "from",
      "the range spans 731 days; at most 400 days",
    ],
    ["/v1/costs?groupBy=feature&from=2026-11-05&to=2026-11-01", "from", "must be before `to`"],
    [
      "/v1/costs?groupBy=feature&to=yesterday",
      "to",
      "must be an ISO 8601 date or date-time, e.g. 2026-11-02 or 2026-11-02T09:30:00Z",
    ],
    [
      "/v1/costs?groupBy=feature&minCost=-1",
      "minCost",
      'must be a decimal string of dollars such as "2.50" (at most 12 decimals)',
    ],
    [
      "/v1/costs?groupBy=feature&hasIncident=yes",
      "hasIncident",
      'Invalid option: expected one of "true"|"false"',
    ],
    [
      "/v1/costs?groupBy=feature&feature=a&feature=b",
      "feature",
      "given more than once; give it once (a list is comma-separated)",
    ],
    [
      "/v1/costs?groupBy=feature&groupBy=user",
      "groupBy",
      "given more than once; give it once (a list is comma-separated)",
    ],
    ["/v1/costs?from=2026-11-01", "groupBy", "required"],
    [
      "/v1/traces?sort=cost&sort=time",
      "sort",
      "given more than once; give it once (a list is comma-separated)",
    ],
    ["/v1/traces?limit=501", "limit", "Too big: expected number to be <=500"],
    ["/v1/traces?limit=0", "limit", "Too small: expected number to be >=1"],
    ["/v1/traces?limit=0x2", "limit", "must be a whole number, in decimal digits"],
    ["/v1/incidents?limit=1e1", "limit", "must be a whole number, in decimal digits"],
    ["/v1/insights?minCalls=%203", "minCalls", "must be a whole number, in decimal digits"],
    ["/v1/costs?groupBy=feature&limit=2.5", "limit", "must be a whole number, in decimal digits"],
    ["/v1/costs/timeseries?groupBy=feature&limit=", "limit", "must be a whole number, in decimal digits"],
    ["/v1/traces?sort=price", "sort", 'Invalid option: expected one of "time"|"cost"'],
  ])("GET %s answers 400 naming %s", async (path, field, message) => {
    const res = await api.call("GET", path, read);
    expect(res.status).toBe(400);
    expect((res.body as { issues: unknown[] }).issues[0]).toEqual({
      location: "query",
      path: field,
      message,
    });
    expect((res.body as { error: string }).error).toMatch(new RegExp(`^invalid query field ${field}: `));
  });
});
