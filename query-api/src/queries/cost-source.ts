import { and, build, type ClickHouse, type Fragment, param, sql } from "@burnrate/storage";
import type { DimensionFilters, TraceFilters } from "../schemas/filters.js";
import { sqlTime, subMillisecondNanos, type TimeRange } from "../schemas/time-range.js";
import { callConditions, dimensionColumn, dimensionConditions, hasTraceFilters } from "./call-filters.js";
import { FINAL_SETTINGS } from "./read-settings.js";
import { CALL_TOTALS, ROLLUP_TOTALS } from "./totals.js";

/**
 * Where a cost aggregate reads from. The per-minute rollup is small and fast, and exact
 * when the range falls on whole minutes, no filter needs whole traces and no minute of the
 * range waits in `rollup_repairs`; otherwise the calls themselves (`llm_calls FINAL`)
 * answer, so a result is never approximate.
 */
export interface CostSource {
  kind: "rollup" | "calls";
  /** `FROM … WHERE …` */
  from: Fragment;
  /** The same, narrowed by one more condition. */
  fromWhere(condition: Fragment): Fragment;
  totals: Fragment;
  /** The expression for a dimension, or for the start of a time bucket. */
  column(key: keyof DimensionFilters): Fragment;
  time: Fragment;
  /** Settings to end the statement with (FINAL's, for the calls). */
  settings: Fragment;
}

export async function costSource(
  db: ClickHouse,
  project: string,
  range: TimeRange,
  filters: DimensionFilters & TraceFilters,
): Promise<CostSource> {
  const wholeMinute = (date: Date) => date.getTime() % 60_000 === 0 && subMillisecondNanos(date) === 0;
  const wholeMinutes = wholeMinute(range.from) && wholeMinute(range.to);
  const minutes = and([
    sql`project_id = ${param("String", project)}`,
    sql`minute >= toDateTime(${param("String", wholeSeconds(range.from))}, 'UTC')`,
    sql`minute < toDateTime(${param("String", wholeSeconds(range.to))}, 'UTC')`,
  ]);
  if (wholeMinutes && !hasTraceFilters(filters) && !(await repairPending(db, minutes))) {
    const where = and([minutes, ...dimensionConditions(filters, "rollup")]);
    return {
      kind: "rollup",
      from: sql`llm_cost_minutely WHERE ${where}`,
      fromWhere: (condition) => sql`llm_cost_minutely WHERE ${where} AND (${condition})`,
      totals: ROLLUP_TOTALS,
      column: (key) => dimensionColumn(key, "rollup"),
      time: sql`minute`,
      settings: sql``,
    };
  }
  const where = callConditions(project, range, filters);
  return {
    kind: "calls",
    from: sql`llm_calls FINAL WHERE ${where}`,
    fromWhere: (condition) => sql`llm_calls FINAL WHERE ${where} AND (${condition})`,
    totals: CALL_TOTALS,
    column: (key) => dimensionColumn(key, "calls"),
    time: sql`start_time`,
    settings: FINAL_SETTINGS,
  };
}

/**
 * Whether a reprice still has to rebuild one of these rollup minutes. A reprice re-inserts
 * calls with a higher version, which the materialized view counts a second time, and lists
 * their minutes in `rollup_repairs` first; it strikes them off only once they are rebuilt
 * from `llm_calls FINAL` (and a reprice that was stopped leaves them there until the next
 * one). Until then the rollup over-counts those minutes, so the calls answer instead.
 * The table is tiny (usually empty) and keyed by (project, minute), so this costs one
 * primary-key lookup. The check and the read that follows are two statements, and ClickHouse
 * gives no snapshot across them: a reprice that starts re-inserting calls in between can still
 * make that one answer count them twice; the next answer sees the pending minutes.
 */
async function repairPending(db: ClickHouse, minutes: Fragment): Promise<boolean> {
  const rows = await db.query<{ pending: number }>(
    build(sql`SELECT 1 AS pending FROM rollup_repairs FINAL WHERE ${minutes} LIMIT 1`),
  );
  return rows.length > 0;
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

/**
 * `2026-11-02 09:30:00`: `toDateTime` before ClickHouse 26.5 reads only whole seconds (its
 * `cast_string_to_date_time_mode` was `basic`), and refused the `.000` that `sqlTime` adds.
 * The rollup is read only for whole-minute ranges, so nothing is cut off.
 */
function wholeSeconds(date: Date): string {
  return sqlTime(date).slice(0, 19);
}
