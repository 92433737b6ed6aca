import { TRACE_SEARCH_MOST_RANKED as MOST_RANKED } from "@burnrate/query-api";
import { beforeAll, describe, expect, it } from "vitest";
import { callRow, useEmptyStoreApi } from "./support/empty-store-api.js";

const api = useEmptyStoreApi(new Date("2026-11-20T00:00:00Z"));

interface Page {
  range: { from: string; to: string };
  traces: { traceId: string; startTime: string; calls: number }[];
  nextCursor: string | null;
}

const traces = async (query: string) => {
  const res = await api.get(`/v1/traces?${query}`);
  expect(res.status).toBe(200);
  return res.body as Page;
};
const ids = async (query: string) => (await traces(query)).traces.map((t) => t.traceId);

/** Every trace of a search, page by page (`limit` per page), following `nextCursor`. */
const allPages = async (query: string, limit: number) => {
  const found: string[] = [];
  let page = await traces(`${query}&limit=${limit}`);
  found.push(...page.traces.map((t) => t.traceId));
  while (page.nextCursor !== null) {
    page = await traces(`${query}&limit=${limit}&cursor=${page.nextCursor}`);
    expect(page.traces.length).toBeGreaterThan(0);
    found.push(...page.traces.map((t) => t.traceId));
  }
  return found;
};

describe("a range end with digits below the millisecond", () => {
  // Three calls 100 ns apart, all in the same millisecond.
  const AT = "2026-11-02T12:30:00.000500000Z";
  beforeAll(async () => {
    await api.db.insert("llm_calls", [
      callRow({ trace_id: "before", span_id: "b", start_time: "2026-11-02 12:30:00.000499900" }),
      callRow({ trace_id: "exact", span_id: "e", start_time: "2026-11-02 12:30:00.000500000" }),
      callRow({ trace_id: "after", span_id: "a", start_time: "2026-11-02 12:30:00.000500100" }),
    ]);
  });

  it("means that very instant: `from` includes it, `to` excludes it", async () => {
    const late = await traces(`from=${AT}&to=2026-11-02T13:00:00Z`);
    expect(late.range).toEqual({ from: AT, to: "2026-11-02T13:00:00.000Z" });
    expect(late.traces.map((t) => t.traceId)).toEqual(["after", "exact"]);
    expect(await ids(`from=2026-11-02T12:00:00Z&to=${AT}`)).toEqual(["before"]);
    // The same range through the other routes that take one.
    const costs = await api.get(`/v1/costs?groupBy=feature&from=${AT}&to=2026-11-02T13:00:00Z`);
    expect(costs.body).toMatchObject({ range: { from: AT }, source: "calls", totals: { calls: 2 } });
    const series = await api.get(`/v1/costs/timeseries?bucket=minute&from=2026-11-02T12:00:00Z&to=${AT}`);
    expect(series.body).toMatchObject({ source: "calls", series: [{ points: [{ calls: 1 }] }] });
    const incidents = await api.get(`/v1/incidents?from=${AT}`);
    expect(incidents).toMatchObject({ status: 200, body: { range: { from: AT } } });
  });

  it("takes back a start time the API returned, as it was returned", async () => {
    const { startTime } = (await api.get("/v1/traces/exact")).body as { startTime: string };
    expect(startTime).toBe(AT);
    expect(await ids(`from=${startTime}&to=2026-11-02T13:00:00Z`)).toEqual(["after", "exact"]);
    const listed = (await traces("from=2026-11-02T12:00:00Z&to=2026-11-02T13:00:00Z")).traces;
    for (const trace of listed) {
      expect((await traces(`from=${trace.startTime}&to=2026-11-02T13:00:00Z`)).traces.at(-1)?.traceId).toBe(
        trace.traceId,
      );
    }
  });

  it("keeps its nanoseconds in a cursor, from page to page", async () => {
    expect(await allPages(`from=${AT}&to=2026-11-02T13:00:00Z`, 1)).toEqual(["after", "exact"]);
  });

  it("is still refused when it is not a real instant, or not after `from`", async () => {
    const tooEarly = await api.get(`/v1/traces?from=${AT}&to=2026-11-02T12:30:00.000500000Z`);
    expect(tooEarly).toMatchObject({
      status: 400,
      body: { issues: [{ location: "query", path: "from", message: "must be before `to`" }] },
    });
    expect((await api.get(`/v1/traces?from=${AT}&to=2026-11-02T12:30:00.0005001Z`)).status).toBe(200);
    expect((await api.get("/v1/traces?from=2026-11-02T12:30:00.0000000001Z")).status).toBe(400);
  });
});

describe("trace search places a trace by its first call", () => {
  const DAY = "from=2026-11-10T00:00:00Z&to=2026-11-11T00:00:00Z";
  beforeAll(async () => {
    const call = (trace: string, span: string, at: string, cost: string) =>
      callRow({ trace_id: trace, span_id: span, start_time: `${at}.000000000`, cost_total: cost });
    await api.db.insert("llm_calls", [
      // Begun days before the range, still calling in it; the most expensive, so ranked first by cost.
      call("long-1", "l1a", "2026-11-07 09:00:00", "5.000000000000"),
      call("long-1", "l1b", "2026-11-10 09:00:00", "5.000000000000"),
      call("long-2", "l2a", "2026-11-08 09:00:00", "4.000000000000"),
      call("long-2", "l2b", "2026-11-10 10:00:00", "4.000000000000"),
      call("long-3", "l3a", "2026-11-05 09:00:00", "3.000000000000"),
      call("long-3", "l3b", "2026-11-10 11:00:00", "3.000000000000"),
      // Begun 12 hours before the range.
      call("recent", "ra", "2026-11-09 12:00:00", "2.000000000000"),
      call("recent", "rb", "2026-11-10 12:00:00", "2.000000000000"),
      // Begun in the range.
      call("new-1", "n1", "2026-11-10 08:00:00", "0.100000000000"),
      call("new-2", "n2", "2026-11-10 13:00:00", "0.200000000000"),
    ]);
  });

  it("leaves out a trace whose first call came before `from`, however long before", async () => {
    expect(await ids(DAY)).toEqual(["new-2", "new-1"]);
    expect(await ids(`${DAY}&sort=cost`)).toEqual(["new-2", "new-1"]);
    // A range that holds its first call places it there.
    const week = await traces("from=2026-11-05T00:00:00Z&to=2026-11-11T00:00:00Z&sort=time&order=asc");
    expect(week.traces.map((t) => [t.traceId, t.startTime])).toEqual([
      ["long-3", "2026-11-05T09:00:00.000000000Z"],
      ["long-1", "2026-11-07T09:00:00.000000000Z"],
      ["long-2", "2026-11-08T09:00:00.000000000Z"],
      ["recent", "2026-11-09T12:00:00.000000000Z"],
      ["new-1", "2026-11-10T08:00:00.000000000Z"],
      ["new-2", "2026-11-10T13:00:00.000000000Z"],
    ]);
  });

  it("fills every page though the traces it leaves out rank first", async () => {
    for (const sort of ["sort=cost", "sort=cost&order=asc", "sort=time", "sort=time&order=asc"]) {
      const page = await traces(`${DAY}&${sort}&limit=1`);
      expect(page.traces).toHaveLength(1);
      expect(await allPages(`${DAY}&${sort}`, 1)).toEqual(
        sort.endsWith("asc") ? ["new-1", "new-2"] : ["new-2", "new-1"],
      );
    }
  });
});

describe("trace search over many traces that began before the range", () => {
  const RANGE = "from=2026-11-15T00:00:00Z&to=2026-11-16T00:00:00Z&sort=cost";
  // More than one request ranks: each began days before the range (past the ranking pass's
  // one-day look-behind) and called again in it,
  // at a higher cost than the one trace that began in the range.
  const LONG = MOST_RANKED + 10;
  beforeAll(async () => {
    const rows = [];
    for (let i = 0; i < LONG; i++) {
      const trace = `long-${i}`;
      rows.push(
        callRow({ trace_id: trace, span_id: `${trace}-a`, start_time: "2026-11-12 06:00:00.000000000" }),
        callRow({
          trace_id: trace,
          span_id: `${trace}-b`,
          start_time: "2026-11-15 06:00:00.000000000",
          cost_total: "1.000000000000",
        }),
      );
    }
    rows.push(callRow({ trace_id: "in-range", span_id: "r", start_time: "2026-11-15 07:00:00.000000000" }));
    await api.db.insert("llm_calls", rows);
  });

  it("stops after ranking MOST_RANKED of them with a short page and a cursor that goes on", async () => {
    const first = await traces(`${RANGE}&limit=1`);
    expect({ traces: first.traces, more: first.nextCursor !== null }).toEqual({ traces: [], more: true });
    const second = await traces(`${RANGE}&limit=1&cursor=${first.nextCursor}`);
    expect({ traces: second.traces.map((t) => t.traceId), next: second.nextCursor }).toEqual({
      traces: ["in-range"],
      next: null,
    });
  });
});
