import { createPriceBook } from "@burnrate/core";
import { type ClickHouse, reprice } from "@burnrate/storage";
import { describe, expect, it } from "vitest";
import { callRow, useEmptyStoreApi } from "./support/empty-store-api.js";

const api = useEmptyStoreApi(new Date("2026-11-05T00:00:00Z"));
const RANGE = "from=2026-11-01&to=2026-11-05";
const REPRICE = { from: new Date("2026-11-01"), to: new Date("2026-11-05") };
const ZERO = "0.000000000000";

/** A store whose process "dies" when the reprice starts rebuilding the rollup, after it re-inserted its calls. */
function stoppedBeforeRebuild(db: ClickHouse): ClickHouse {
  return {
    mode: db.mode,
    location: db.location,
    query: (q) => db.query(q),
    insert: (table, rows) => db.insert(table, rows),
    insertJsonEachRow: (table, payload) => db.insertJsonEachRow(table, payload),
    ping: () => db.ping(),
    close: async () => {},
    command: async (q) => {
      if (/DELETE FROM llm_cost_minutely/.test(q.query)) throw new Error("process killed");
      return db.command(q);
    },
  };
}

/** The totals of gpt-4o calls, 1000 in / 100 out each. */
const gpt4o = (calls: number, cost: string) => ({
  calls,
  pricedCalls: calls,
  unpricedCalls: 0,
  errorCalls: 0,
  pricedCostUsd: cost,
  tokens: { input: 1_000 * calls, output: 100 * calls, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
});

const costsBody = (source: "rollup" | "calls", cost: string) => ({
  range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
  groupBy: ["model"],
  source,
  groups: [{ key: { model: "gpt-4o" }, ...gpt4o(1, cost) }],
  totals: gpt4o(1, cost),
  truncated: false,
});

const seriesBody = (source: "rollup" | "calls", cost: string) => ({
  range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
  bucket: "hour",
  groupBy: ["model"],
  source,
  series: [
    {
      key: { model: "gpt-4o" },
      pricedCostUsd: cost,
      points: [{ time: "2026-11-02T09:00:00Z", calls: 1, unpricedCalls: 0, pricedCostUsd: cost }],
    },
  ],
  truncated: false,
});

describe("cost queries while a reprice has rollup minutes left to rebuild", () => {
  it("answer from the calls, exactly, until the rollup is rebuilt, and say so in `source`", async () => {
    // Stored at an old $0.001; the book prices 1000 in / 100 out of gpt-4o at $0.0035.
    await api.db.insert("llm_calls", [
      callRow({
        input_tokens: 1_000,
        output_tokens: 100,
        cost_input: "0.0005",
        cost_output: "0.0005",
        cost_total: "0.001",
        price_version: "old",
      }),
    ]);
    expect((await api.get(`/v1/costs?${RANGE}&groupBy=model`)).body).toEqual(
      costsBody("rollup", "0.001000000000"),
    );

    // The reprice re-inserts the call (the materialized view counts it a second time) and is
    // stopped before it rebuilds the minute, which it leaves in rollup_repairs.
    await expect(reprice(stoppedBeforeRebuild(api.db), createPriceBook(), REPRICE)).rejects.toThrow(
      "process killed",
    );
    expect(
      await api.db.query({
        query: "SELECT project_id, toString(minute) AS minute FROM rollup_repairs FINAL",
        params: {},
      }),
    ).toEqual([{ project_id: "default", minute: "2026-11-02 09:00:00" }]);

    // The rollup now holds $0.0045 for the one call; the API must not report it.
    expect((await api.get(`/v1/costs?${RANGE}&groupBy=model`)).body).toEqual(
      costsBody("calls", "0.003500000000"),
    );
    expect((await api.get(`/v1/costs/timeseries?${RANGE}&groupBy=model`)).body).toEqual(
      seriesBody("calls", "0.003500000000"),
    );

    // The next reprice rebuilds the minute first; the rollup answers again, with the same figures.
    const report = await reprice(api.db, createPriceBook(), REPRICE);
    expect(report).toMatchObject({ changed: 0, rollupRepaired: 1 });
    expect((await api.get(`/v1/costs?${RANGE}&groupBy=model`)).body).toEqual(
      costsBody("rollup", "0.003500000000"),
    );
    expect((await api.get(`/v1/costs/timeseries?${RANGE}&groupBy=model`)).body).toEqual(
      seriesBody("rollup", "0.003500000000"),
    );
    expect(api.errors).toEqual([]);
  });

  it("keep reading the rollup when the pending minutes are outside the range or another project's", async () => {
    await api.db.insert("rollup_repairs", [
      { project_id: "other-project", minute: "2026-11-02 09:00:00" },
      { project_id: "default", minute: "2026-11-05 00:00:00" }, // `to` is exclusive
      { project_id: "default", minute: "2026-10-31 23:59:00" },
    ]);
    expect((await api.get(`/v1/costs?${RANGE}&groupBy=model`)).body).toEqual(
      costsBody("rollup", "0.003500000000"),
    );
    // The same range with the first minute pending reads the calls.
    await api.db.insert("rollup_repairs", [{ project_id: "default", minute: "2026-11-01 00:00:00" }]);
    expect((await api.get(`/v1/costs?${RANGE}&groupBy=model`)).body).toEqual(
      costsBody("calls", "0.003500000000"),
    );
    expect(
      (await api.get("/v1/costs?from=2026-11-01T00:01Z&to=2026-11-05&groupBy=model")).body,
    ).toMatchObject({
      source: "rollup",
      totals: gpt4o(1, "0.003500000000"),
    });
    expect((await api.get(`/v1/costs?from=2026-11-03&to=2026-11-05&groupBy=model`)).body).toMatchObject({
      source: "rollup",
      groups: [],
      totals: { calls: 0, pricedCostUsd: ZERO },
    });
  });
});
