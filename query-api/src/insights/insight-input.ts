import type { PriceBook } from "@burnrate/core";
import type { ClickHouse, Fragment } from "@burnrate/storage";
import type { TimeRange } from "../schemas/time-range.js";

/** What every insight finder reads: the slice (a WHERE over `llm_calls FINAL`) and its limits. */
export interface InsightInput {
  db: ClickHouse;
  book: PriceBook;
  project: string;
  range: TimeRange;
  /** Prices for estimates are those in force at this instant. */
  at: Date;
  where: Fragment;
  /** At most this many insights of the kind. */
  limit: number;
  /** A pattern must cover at least this many calls. */
  minCalls: number;
  /** The cheaper model per provider name as stored (see `ApiContext.routingTargets`). */
  routingTargets: ReadonlyMap<string, string>;
}

/** The aggregate columns every finder selects for its evidence. */
export interface EvidenceRow {
  calls: number;
  traces: number;
  unpriced: number;
  cost: string;
  examples: string[];
}

/** The evidence every cache and batch insight gives from its group's row; `details` are its own. */
export function rowEvidence<D>(row: EvidenceRow, details: D) {
  return {
    calls: Number(row.calls),
    traces: Number(row.traces),
    unpricedCalls: Number(row.unpriced),
    pricedCostUsd: row.cost,
    exampleTraceIds: row.examples,
    details,
  };
}
