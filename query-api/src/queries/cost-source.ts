import { and, type Fragment, param, sql } from "@burnrate/storage";
import type { DimensionFilters, TraceFilters } from "../schemas/filters.js";
import { sqlTime, type TimeRange } from "../schemas/time-range.js";
import { callConditions, dimensionColumn, dimensionConditions, hasTraceFilters } from "./call-filters.js";
import { FINAL_SETTINGS } from "./read-settings.js";
import { CALL_TOTALS, ROLLUP_TOTALS } from "./totals.js";

/**
 * Where a cost aggregate reads from. The per-minute rollup is small and fast, and exact
 * when the range falls on whole minutes and no filter needs whole traces; otherwise the
 * calls themselves (`llm_calls FINAL`) answer, so a result is never approximate.
 */
export interface CostSource {
  kind: "rollup" | "calls";
  /** `FROM … WHERE …` */
  from: Fragment;
  totals: Fragment;
  /** The expression for a dimension, or for the start of a time bucket. */
  column(key: keyof DimensionFilters): Fragment;
  time: Fragment;
  /** Settings to end the statement with (FINAL's, for the calls). */
  settings: Fragment;
}

export function costSource(
  project: string,
  range: TimeRange,
  filters: DimensionFilters & TraceFilters,
): CostSource {
  const wholeMinutes = range.from.getTime() % 60_000 === 0 && range.to.getTime() % 60_000 === 0;
  if (wholeMinutes && !hasTraceFilters(filters)) {
    const where = and([
      sql`project_id = ${param("String", project)}`,
      sql`minute >= toDateTime(${param("String", sqlTime(range.from))}, 'UTC')`,
      sql`minute < toDateTime(${param("String", sqlTime(range.to))}, 'UTC')`,
      ...dimensionConditions(filters, "rollup"),
    ]);
    return {
      kind: "rollup",
      from: sql`llm_cost_minutely WHERE ${where}`,
      totals: ROLLUP_TOTALS,
      column: (key) => dimensionColumn(key, "rollup"),
      time: sql`minute`,
      settings: sql``,
    };
  }
  return {
    kind: "calls",
    from: sql`llm_calls FINAL WHERE ${callConditions(project, range, filters)}`,
    totals: CALL_TOTALS,
    column: (key) => dimensionColumn(key, "calls"),
    time: sql`start_time`,
    settings: FINAL_SETTINGS,
  };
}

/** The start of a call's bucket (UTC): a Date for days, a DateTime for minutes and hours. */
export function bucketOf(time: Fragment, bucket: "minute" | "hour" | "day"): Fragment {
  if (bucket === "day") return sql`toDate(${time}, 'UTC')`;
  return bucket === "hour" ? sql`toStartOfHour(${time}, 'UTC')` : sql`toStartOfMinute(${time}, 'UTC')`;
}

/**
 * A grouped bucket as text: ISO 8601 (`2026-11-02T09:00:00Z`), or `2026-11-02` for a day
 * group key. It is applied to the grouped key, after aggregation, so formatting costs once
 * per group rather than once per row.
 */
export function bucketText(key: Fragment, bucket: "minute" | "hour" | "day", dayAsDate = false): Fragment {
  if (bucket === "day" && dayAsDate) return sql`toString(${key})`;
  return sql`formatDateTime(${key}, '%Y-%m-%dT%H:%i:00Z', 'UTC')`;
}
