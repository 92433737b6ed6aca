import type { ClickHouse } from "@burnrate/storage";
import { describe, expect, it } from "vitest";
import { traceCalls } from "./trace-calls.js";

/** A store that answers every query with `rows`, as chDB would for a trace stored twice. */
function storeWith(rows: object[]): ClickHouse {
  return { query: async () => rows } as unknown as ClickHouse;
}

describe("traceCalls", () => {
  it("keeps the highest version of each span, as FINAL would, in start order", async () => {
    const row = (span: string, version: string, cost: string) => ({
      trace_id: "t",
      span_id: span,
      version,
      cost_total: cost,
    });
    const calls = await traceCalls(
      storeWith([
        row("a", "5", "0.1"),
        row("a", "9", "0.2"), // repriced: the newer version wins
        row("b", "7", "0.3"),
        row("b", "7", "0.3"), // the same export retried
        row("c", "2", "0.4"),
      ]),
      "p",
      "t",
    );
    expect(calls).toEqual([
      { trace_id: "t", span_id: "a", cost_total: "0.2" },
      { trace_id: "t", span_id: "b", cost_total: "0.3" },
      { trace_id: "t", span_id: "c", cost_total: "0.4" },
    ]);
  });
});
