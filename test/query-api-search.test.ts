import { describe, expect, it } from "vitest";
import { countRows, eventually } from "./support/collector.js";
import { useQueryApi } from "./support/query-api-harness.js";
import { chat, DAY1, KEYS, sendExport, T } from "./support/query-api-seed.js";

const api = useQueryApi();
const read = KEYS.acmeRead.key;
const RANGE = "from=2026-11-01&to=2026-11-05";
const NOT_A_CURSOR = "is not a cursor this API issued; pass `nextCursor` unchanged";

/** The 400 naming one query field. */
function refused(path: string, message: string) {
  return {
    status: 400,
    body: {
      status: 400,
      error: `invalid query field ${path}: ${message}`,
      issues: [{ location: "query", path, message }],
    },
  };
}

const decoded = (cursor: string) => JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
const encoded = (fields: object) => Buffer.from(JSON.stringify(fields)).toString("base64url");

const tokens = (input: number, output: number, cacheRead = 0, cacheWrite = 0, reasoning = 0) => ({
  input,
  output,
  cacheRead,
  cacheWrite,
  reasoning,
});

interface Page {
  traces: { traceId: string; startTime: string; pricedCostUsd: string }[];
  nextCursor: string | null;
}

describe("GET /v1/traces", () => {
  it("finds traces by attribution, sorted by cost, with whole summaries", async () => {
    const res = await api.call("GET", `/v1/traces?${RANGE}&feature=ticket-summary&sort=cost`, read);
    expect(res.body).toEqual({
      range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
      sort: "cost",
      order: "desc",
      traces: [
        {
          traceId: T.ticketFollowUp,
          startTime: `${DAY1}T09:10:00.000000000Z`,
          endTime: `${DAY1}T09:10:02.000000000Z`,
          services: ["support-bot"],
          features: ["ticket-summary"],
          users: ["u-42"],
          tenants: ["acme-corp"],
          agents: ["triage"],
          models: ["claude-sonnet-4-5"],
          sessions: ["conv-7"],
          calls: 1,
          pricedCalls: 1,
          unpricedCalls: 0,
          errorCalls: 0,
          pricedCostUsd: "0.045750000000",
          tokens: tokens(37_000, 800, 30_000, 5_000),
          incidents: 1,
        },
        {
          traceId: T.ticket,
          startTime: `${DAY1}T09:00:01.000000000Z`,
          endTime: `${DAY1}T09:00:03.800000000Z`,
          services: ["support-bot"],
          features: ["ticket-summary"],
          users: ["u-42"],
          tenants: ["acme-corp"],
          agents: ["triage"],
          models: ["gpt-4o", "gpt-4o-mini", "mystery-model-9000"],
          sessions: ["conv-7"],
          calls: 3,
          pricedCalls: 2,
          unpricedCalls: 1,
          errorCalls: 0,
          pricedCostUsd: "0.022560000000",
          tokens: tokens(19_000, 700, 10_240),
          incidents: 1,
        },
        {
          traceId: T.nextDay,
          startTime: "2026-11-03T08:00:00.000000000Z",
          endTime: "2026-11-03T08:00:00.900000000Z",
          services: ["support-bot"],
          features: ["ticket-summary"],
          users: ["u-7"],
          tenants: ["globex"],
          agents: ["triage"],
          models: ["gpt-4o-mini"],
          sessions: ["conv-9"],
          calls: 1,
          pricedCalls: 1,
          unpricedCalls: 0,
          errorCalls: 0,
          pricedCostUsd: "0.002100000000",
          tokens: tokens(10_000, 1_000),
          incidents: 0,
        },
      ],
      nextCursor: null,
    });
  });

  it("filters on cost, incidents, model and time", async () => {
    const ids = async (query: string) =>
      ((await api.call("GET", `/v1/traces?${query}`, read)).body as Page).traces.map((t) => t.traceId);
    // Equal costs are ordered by trace id, so the order is total.
    expect(await ids(`${RANGE}&minCost=0.0285&sort=cost&order=asc`)).toEqual([
      T.rag1,
      T.rag2,
      T.rag3,
      T.ticketFollowUp,
    ]);
    expect(await ids(`${RANGE}&hasIncident=true`)).toEqual([T.ticketFollowUp, T.ticket]);
    expect(await ids(`${RANGE}&model=gpt-4o-mini`)).toEqual([T.nextDay, T.ticket]);
    expect(await ids(`${RANGE}&model=gpt-4o-mini&user=u-42`)).toEqual([T.ticket]);
    expect(await ids("from=2026-11-02T09:00:00Z&to=2026-11-02T10:00:00Z")).toEqual([
      T.ticketFollowUp,
      T.ticket,
    ]);
    // A trace starting before `from` is not placed at its first call inside the range.
    expect(await ids("from=2026-11-02T09:00:02Z&to=2026-11-02T09:05:00Z")).toEqual([]);
  });

  it("pages stably while new traces arrive between pages", async () => {
    const all = async (sort: string) =>
      ((await api.call("GET", `/v1/traces?${RANGE}&sort=${sort}&limit=500`, read)).body as Page).traces.map(
        (t) => t.traceId,
      );
    const before: Record<string, string[]> = {};
    const pages: Record<string, string[][]> = { time: [], cost: [] };
    let added = 0;
    for (const sort of ["time", "cost"] as const) {
      before[sort] = await all(sort);
      let cursor: string | null = null;
      do {
        const query = `${RANGE}&sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ""}`;
        const page = (await api.call("GET", `/v1/traces?${query}`, read)).body as Page;
        pages[sort]!.push(page.traces.map((t) => t.traceId));
        cursor = page.nextCursor;
        // New traces land in the range between pages: the latest and the most expensive yet.
        added++;
        const traceId = `c${String(added).padStart(31, "0")}`;
        await sendExport(api.collector.url, {
          key: KEYS.acmeIngest.key,
          service: "support-bot",
          spans: [
            {
              traceId,
              spanId: `c${String(added).padStart(15, "0")}`,
              name: "chat gpt-4o",
              start: `2026-11-04T23:00:0${added}.000`,
              durationMs: 100,
              attributes: chat("openai", "gpt-4o", { input: 500_000, output: 1_000 }),
            },
          ],
        });
        await eventually(
          () => countRows(api.collector.db, "llm_calls"),
          (n) => n === 13 + added,
        );
      } while (cursor !== null);
    }
    expect(before.time).toHaveLength(10);
    expect(pages.time!.flat()).toEqual(before.time);
    expect(pages.time!.map((p) => p.length)).toEqual([3, 3, 3, 1]);
    expect(before.cost).toHaveLength(14);
    expect(pages.cost!.flat()).toEqual(before.cost);
    expect(pages.cost!.map((p) => p.length)).toEqual([3, 3, 3, 3, 2]);
    // A fresh search sees the new traces first.
    expect((await all("time")).slice(0, 2)).toEqual([
      `c${String(added).padStart(31, "0")}`,
      `c${String(added - 1).padStart(31, "0")}`,
    ]);
  });

  it("refuses a cursor used with other filters, or one it did not issue", async () => {
    const first = (await api.call("GET", `/v1/traces?${RANGE}&limit=1`, read)).body as Page;
    expect(
      await api.call("GET", `/v1/traces?${RANGE}&limit=1&feature=digest&cursor=${first.nextCursor}`, read),
    ).toMatchObject({
      status: 400,
      body: {
        issues: [
          {
            location: "query",
            path: "cursor",
            message: "was issued for a different sort, order or filters; start again without it",
          },
        ],
      },
    });
    expect(await api.call("GET", "/v1/traces?cursor=bm90LWEtY3Vyc29y", read)).toMatchObject({
      status: 400,
      body: {
        issues: [
          {
            location: "query",
            path: "cursor",
            message: "is not a cursor this API issued; pass `nextCursor` unchanged",
          },
        ],
      },
    });
  });

  it("refuses a forged or damaged cursor with 400, never a 500, and keeps the 400-day limit", async () => {
    const byTime = decoded(
      ((await api.call("GET", `/v1/traces?${RANGE}&limit=1`, read)).body as Page).nextCursor!,
    );
    const byCost = decoded(
      ((await api.call("GET", `/v1/traces?${RANGE}&limit=1&sort=cost`, read)).body as Page).nextCursor!,
    );
    expect(byTime).toEqual({
      v: 1,
      s: "time",
      o: "desc",
      k: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9}$/),
      t: expect.stringMatching(/^[0-9a-f]{32}$/),
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-11-05T00:00:00.000Z",
      f: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
    });
    const forged = [
      { ...byTime, from: "garbage" },
      { ...byTime, from: "2026-02-30T00:00:00.000Z" },
      { ...byTime, to: "2026-11-05" },
      { ...byTime, k: "::--" },
      { ...byTime, k: "2026-11-02 25:00:00.000000000" },
      { ...byTime, k: "2026-11-02 09:00:00" },
      { ...byTime, t: "" },
      { ...byTime, f: "not a digest" },
      { ...byTime, extra: 1 },
      { ...byTime, from: "1970-01-01T00:00:00.000Z", to: "2100-01-01T00:00:00.000Z" },
      { ...byTime, from: "2026-11-05T00:00:00.000Z", to: "2026-11-01T00:00:00.000Z" },
      { ...byCost, k: "1.2.3" },
      { ...byCost, k: "0.5" },
      { ...byCost, k: byTime.k },
    ];
    for (const cursor of forged) {
      const sort = cursor.s === "cost" ? "&sort=cost" : "";
      expect(
        await api.call("GET", `/v1/traces?limit=1${sort}&cursor=${encoded(cursor)}`, read),
      ).toMatchObject(refused("cursor", NOT_A_CURSOR));
    }
    expect(api.errors).toEqual([]);
  });
});

describe("dates", () => {
  it("refuses impossible dates and times instead of rolling them over, naming the field", async () => {
    expect(await api.call("GET", "/v1/traces?from=2026-02-30&to=2026-03-05", read)).toMatchObject(
      refused("from", "is not a real date: February 2026 has 28 days"),
    );
    expect(
      await api.call("GET", "/v1/costs?groupBy=feature&from=2026-02-01&to=2026-02-29", read),
    ).toMatchObject(refused("to", "is not a real date: February 2026 has 28 days"));
    expect(await api.call("GET", "/v1/incidents?from=2026-13-01", read)).toMatchObject(
      refused("from", "is not a real date: there is no month 13"),
    );
    expect(await api.call("GET", "/v1/insights?to=2026-11-02T24:00:00Z", read)).toMatchObject(
      refused("to", "is not a real time of day: 24:00:00 (hours go up to 23, minutes and seconds up to 59)"),
    );
    expect(await api.call("GET", "/v1/traces?to=2026-11-02T09:60Z", read)).toMatchObject(
      refused("to", "is not a real time of day: 09:60 (hours go up to 23, minutes and seconds up to 59)"),
    );
    expect(await api.call("GET", "/v1/traces?to=2026-11-02T09:00:00%2B24:00", read)).toMatchObject(
      refused("to", "is not a real UTC offset: +24:00 (hours go up to 23, minutes up to 59)"),
    );
    // Outside the years ClickHouse's DateTime holds, a query failed or was clamped to an edge.
    expect(await api.call("GET", "/v1/traces?to=2300-02-01", read)).toMatchObject(
      refused("to", "is outside the years Burnrate can query (1970 to 2105)"),
    );
    expect(await api.call("GET", "/v1/costs?groupBy=feature&from=0000-01-01", read)).toMatchObject(
      refused("from", "is outside the years Burnrate can query (1970 to 2105)"),
    );
    // A leap day is real.
    expect((await api.call("GET", "/v1/traces?from=2028-02-29&to=2028-03-01", read)).body).toEqual({
      range: { from: "2028-02-29T00:00:00.000Z", to: "2028-03-01T00:00:00.000Z" },
      sort: "time",
      order: "desc",
      traces: [],
      nextCursor: null,
    });
  });

  it("takes back a start time the API emitted, to the nanosecond", async () => {
    const ids = async (query: string) =>
      ((await api.call("GET", `/v1/traces?${query}`, read)).body as Page).traces.map((t) => t.traceId);
    // `startTime` of T.ticketFollowUp, as GET /v1/traces emits it (nanosecond digits).
    expect(await ids(`from=${DAY1}T09:10:00.000000000Z&to=${DAY1}T10:00:00Z`)).toEqual([T.ticketFollowUp]);
    // Half a microsecond later, the trace began before `from`.
    expect(await ids(`from=${DAY1}T09:10:00.0000005Z&to=${DAY1}T10:00:00Z`)).toEqual([]);
  });
});
