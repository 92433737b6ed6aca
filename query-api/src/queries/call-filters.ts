import { and, type Fragment, param, sql } from "@burnrate/storage";
import type { DimensionFilters, TraceFilters } from "../schemas/filters.js";
import { sqlTime, type TimeRange } from "../schemas/time-range.js";

/** The effective model of a call: the snapshot that answered when reported, else the one asked for. */
export const CALL_MODEL = sql`if(response_model != '', response_model, request_model)`;

/** Columns of each dimension in `llm_calls` and in the `llm_cost_minutely` rollup. */
const CALL_COLUMNS: Record<keyof DimensionFilters, Fragment> = {
  service: sql`service`,
  feature: sql`feature`,
  user: sql`user_id`,
  tenant: sql`tenant`,
  agent: sql`agent`,
  provider: sql`provider`,
  model: CALL_MODEL,
  operation: sql`operation`,
};
const ROLLUP_COLUMNS: Record<keyof DimensionFilters, Fragment> = { ...CALL_COLUMNS, model: sql`model` };

/** The column (or expression) of a dimension in `llm_calls` or the rollup. */
export function dimensionColumn(name: keyof DimensionFilters, table: "calls" | "rollup"): Fragment {
  return (table === "calls" ? CALL_COLUMNS : ROLLUP_COLUMNS)[name];
}

/** `col = {value}` for each dimension filter given; values are parameters, never SQL text. */
export function dimensionConditions(filters: DimensionFilters, table: "calls" | "rollup"): Fragment[] {
  const conditions: Fragment[] = [];
  for (const name of Object.keys(CALL_COLUMNS) as (keyof DimensionFilters)[]) {
    const value = filters[name];
    if (value !== undefined)
      conditions.push(sql`${dimensionColumn(name, table)} = ${param("String", value)}`);
  }
  return conditions;
}

/** `start_time` within the range, `to` exclusive. */
export function callTimeCondition(range: TimeRange): Fragment {
  return sql`start_time >= toDateTime64(${param("String", sqlTime(range.from))}, 9, 'UTC')
    AND start_time < toDateTime64(${param("String", sqlTime(range.to))}, 9, 'UTC')`;
}

/** True when the filters need whole-trace information, so the rollup cannot answer. */
export function hasTraceFilters(filters: TraceFilters): boolean {
  return filters.minCost !== undefined || filters.hasIncident !== undefined;
}

/** The traces of a project that have an incident. */
export function incidentTraces(project: string): Fragment {
  return sql`SELECT trace_id FROM incidents FINAL
    WHERE project_id = ${param("String", project)} AND trace_id != ''`;
}

/**
 * Conditions on `trace_id` for the trace-level filters, for queries over calls: the trace's
 * priced cost within the range reaches `minCost`, and it has (or has no) incident.
 */
export function traceConditions(project: string, range: TimeRange, filters: TraceFilters): Fragment[] {
  const conditions: Fragment[] = [];
  if (filters.minCost !== undefined) {
    conditions.push(sql`trace_id IN (
      SELECT trace_id FROM llm_calls FINAL
      WHERE ${and([sql`project_id = ${param("String", project)}`, callTimeCondition(range)])}
      GROUP BY trace_id
      HAVING sum(cost_total) >= ${param("Decimal(38, 12)", filters.minCost)})`);
  }
  if (filters.hasIncident === true) conditions.push(sql`trace_id IN (${incidentTraces(project)})`);
  if (filters.hasIncident === false) conditions.push(sql`trace_id NOT IN (${incidentTraces(project)})`);
  return conditions;
}

/** The WHERE conditions of a query over `llm_calls FINAL`: project, range, dimensions, traces. */
export function callConditions(
  project: string,
  range: TimeRange,
  filters: DimensionFilters & TraceFilters,
): Fragment {
  return and([
    sql`project_id = ${param("String", project)}`,
    callTimeCondition(range),
    ...dimensionConditions(filters, "calls"),
    ...traceConditions(project, range, filters),
  ]);
}
