import type { ClickHouse } from "../client.js";
import { build, ident, param, sql } from "../sql.js";

/** The rollup dimensions a day-by-day cost can be grouped by. */
export const ROLLUP_DIMENSIONS = [
  "service",
  "feature",
  "user_id",
  "tenant",
  "agent",
  "provider",
  "model",
  "operation",
] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

export interface CostByDayRow {
  day: string;
  key: string;
  calls: number;
  unpricedCalls: number;
  costUsd: string;
}

/**
 * Cost per day grouped by one dimension, read from the `llm_cost_minutely` rollup.
 * `from` and `to` are ISO dates or date-times (UTC), `to` exclusive. A date or a date-time
 * without a zone is read as UTC, never in the server's time zone (embedded chDB takes the
 * host's), which would move every bound by the host's offset.
 */
export async function costByDay(
  db: ClickHouse,
  projectId: string,
  dimension: RollupDimension,
  range: { from: string; to: string },
): Promise<CostByDayRow[]> {
  if (!ROLLUP_DIMENSIONS.includes(dimension)) throw new Error(`not a rollup dimension: ${dimension}`);
  return db.query<CostByDayRow>(
    build(sql`SELECT
        toString(toDate(minute)) AS day,
        ${ident(dimension)} AS key,
        sum(calls) AS calls,
        sum(unpriced_calls) AS unpricedCalls,
        sum(cost_total) AS costUsd
      FROM llm_cost_minutely
      WHERE project_id = ${param("String", projectId)}
        AND minute >= parseDateTime64BestEffort(${param("String", range.from)}, 3, 'UTC')
        AND minute < parseDateTime64BestEffort(${param("String", range.to)}, 3, 'UTC')
      GROUP BY day, key
      ORDER BY day, key`),
  );
}
