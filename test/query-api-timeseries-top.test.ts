import { describe, expect, it } from "vitest";
import { useEmptyStoreApi } from "./support/empty-store-api.js";

const api = useEmptyStoreApi(new Date("2026-11-20T00:00:00Z"));
const USERS = 60;
const MINUTES = 10_000;
/** 10,000 minutes from 2026-11-01T00:00Z: the most buckets one series may have. */
const RANGE = "from=2026-11-01T00:00:00Z&to=2026-11-07T22:40:00Z&bucket=minute&groupBy=user";

/** User `u07` spends $0.07 a minute: u59 the most, u00 nothing. */
const user = (n: number) => `u${String(n).padStart(2, "0")}`;
const usd = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}0000000000`;
const minute = (m: number) =>
  new Date(Date.UTC(2026, 10, 1) + m * 60_000).toISOString().replace(".000Z", "Z");

/** The series of user `n`: one call a minute for 10,000 minutes. */
const series = (n: number) => ({
  key: { user: user(n) },
  pricedCostUsd: usd(n * MINUTES),
  points: Array.from({ length: MINUTES }, (_, m) => ({
    time: minute(m),
    calls: 1,
    unpricedCalls: 0,
    pricedCostUsd: usd(n),
  })),
});

describe("GET /v1/costs/timeseries with more points than one answer holds", () => {
  it("ranks series by their whole cost in SQL, whatever the number of points", async () => {
    // 60 users x 10,000 minutes = 600,000 calls and as many (user, minute) points.
    await api.db.command({
      query: `INSERT INTO llm_calls (project_id, start_time, trace_id, span_id, service, feature, user_id,
          provider, operation, request_model, input_tokens, output_tokens, cost_total, cost_source, status, version)
        SELECT 'default', toDateTime64('2026-11-01 00:00:00', 9, 'UTC') + toIntervalMinute(intDiv(number, ${USERS})),
          concat('t', toString(number)), 's', 'svc', 'f', concat('u', leftPad(toString(number % ${USERS}), 2, '0')),
          'openai', 'chat', 'gpt-4o', 10, 1, toDecimal128((number % ${USERS}) / 100, 12), 'computed', 'ok', 1
        FROM numbers(${USERS * MINUTES})`,
      params: {},
    });
    const top = await api.get(`/v1/costs/timeseries?${RANGE}&limit=2`);
    expect(top).toEqual({
      status: 200,
      body: {
        range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-07T22:40:00.000Z" },
        bucket: "minute",
        groupBy: ["user"],
        source: "rollup",
        series: [series(59), series(58)],
        truncated: true,
      },
    });
    // The same through the calls (a range not on whole minutes).
    const calls = await api.get(`/v1/costs/timeseries?${RANGE.replace("00:00:00Z", "00:00:00.5Z")}&limit=1`);
    expect(calls.body).toMatchObject({
      source: "calls",
      series: [{ key: { user: "u59" } }],
      truncated: true,
    });
    // Two keys: the series are (user, model) pairs, chosen the same way.
    const pairs = await api.get(`/v1/costs/timeseries?${RANGE.replace("minute", "day")},model&limit=2`);
    expect((pairs.body as { series: object[] }).series).toMatchObject([
      { key: { user: "u59", model: "gpt-4o" }, pricedCostUsd: "5900.000000000000" },
      { key: { user: "u58", model: "gpt-4o" }, pricedCostUsd: "5800.000000000000" },
    ]);
  });

  it("answers 400 with the number of points asked for, rather than part of them", async () => {
    const res = await api.get(`/v1/costs/timeseries?${RANGE}&limit=100`);
    const message =
      "the request asks for 600000 points (60 series over 10000 minutes); at most 500000 in one answer, " +
      "so use a larger bucket, a narrower range or a lower limit";
    expect(res).toEqual({
      status: 400,
      body: {
        status: 400,
        error: `invalid query field bucket: ${message}`,
        issues: [{ location: "query", path: "bucket", message }],
      },
    });
  });

  it("says `truncated` only when more series exist than `limit`", async () => {
    const all = await api.get(`/v1/costs/timeseries?${RANGE.replace("minute", "day")}&limit=60`);
    expect(all.body).toMatchObject({ truncated: false });
    expect((all.body as { series: { key: { user: string } }[] }).series.map((s) => s.key.user)).toEqual(
      Array.from({ length: USERS }, (_, n) => user(USERS - 1 - n)),
    );
    expect(
      (await api.get(`/v1/costs/timeseries?${RANGE.replace("minute", "day")}&limit=59`)).body,
    ).toMatchObject({
      truncated: true,
    });
    expect(api.errors).toEqual([]);
  });
});
