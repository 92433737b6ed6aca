import type { ClickHouse } from "./client.js";
import { build, type Fragment, ident, join, type Param, param, sql } from "./sql.js";

const MINUTE_MS = 60_000;

/**
 * Replaces the `llm_cost_minutely` rows of one project's `minutes` with totals recomputed from
 * `llm_calls FINAL`. This is exact whatever the rollup held before: FINAL keeps one row per
 * call (its highest version), and `ROLLUP_COLUMNS` are the materialized view's own
 * expressions, so the result is what the view would have summed had every call been inserted
 * exactly once. Keep the minutes within a short window (an hour): the read is bounded by it.
 * Not atomic: a reader between the DELETE and the INSERT sees those minutes empty.
 * @example await rebuildRollupMinutes(db, "default", [new Date("2026-11-27T10:03:00Z")]);
 */
export async function rebuildRollupMinutes(
  db: ClickHouse,
  projectId: string,
  minutes: readonly Date[],
): Promise<void> {
  if (minutes.length === 0) return;
  const starts = minutes.map((m) => Math.floor(m.getTime() / MINUTE_MS) * MINUTE_MS);
  const list = minuteList(minutes);
  const project = param("String", projectId);
  // Lightweight DELETE (chDB 26.7 and ClickHouse ≥ 23.3); the setting makes it finish before
  // the INSERT, so the rebuilt rows are never masked or summed with the old ones.
  await db.command(
    build(sql`DELETE FROM llm_cost_minutely WHERE project_id = ${project} AND minute IN ${list}
      SETTINGS lightweight_deletes_sync = 2`),
  );
  const columns = join(
    ROLLUP_COLUMNS.map(([name]) => sql`${ident(name)}`),
    ", ",
  );
  const select = join(
    ROLLUP_COLUMNS.map(([name, expression]) => sql`${expression} AS ${ident(name)}`),
    ", ",
  );
  // The start_time range lets the read use partition pruning; the IN list picks the minutes.
  // insert_deduplicate = 0: a replicated table (and ClickHouse Cloud's) drops an inserted block
  // identical to a recent one, and rebuilding the same minutes again (a retried reprice, a
  // replayed repair) inserts just that block, right after the DELETE has emptied the minutes.
  const first = new Date(Math.min(...starts));
  const end = new Date(Math.max(...starts) + MINUTE_MS);
  await db.command(
    build(sql`INSERT INTO llm_cost_minutely (${columns})
      SELECT ${select}
      FROM llm_calls FINAL
      WHERE project_id = ${project}
        AND start_time >= ${param("DateTime64(9, 'UTC')", dateTimeText(first))}
        AND start_time < ${param("DateTime64(9, 'UTC')", dateTimeText(end))}
        AND toStartOfMinute(start_time) IN ${list}
      GROUP BY ${ROLLUP_GROUP_BY}
      SETTINGS insert_deduplicate = 0`),
  );
}

/** Minutes as a `DateTime('UTC')` array parameter, each at the start of its minute. */
export function minuteList(minutes: readonly Date[]): Param {
  return param(
    "Array(DateTime('UTC'))",
    minutes.map((m) => dateTimeText(new Date(Math.floor(m.getTime() / MINUTE_MS) * MINUTE_MS)).slice(0, 19)),
  );
}

/**
 * The SELECT of `llm_cost_minutely_mv` (storage/migrations/0003_llm_cost_minutely.sql), as
 * (column, expression) pairs. The view's text lives in SQL and this copy in TS; the test
 * "rebuilds exactly what the materialized view produced" fails when the two disagree.
 */
export const ROLLUP_COLUMNS: readonly (readonly [string, Fragment])[] = [
  ["project_id", sql`project_id`],
  ["minute", sql`toStartOfMinute(start_time)`],
  ["service", sql`service`],
  ["feature", sql`feature`],
  ["user_id", sql`user_id`],
  ["tenant", sql`tenant`],
  ["agent", sql`agent`],
  ["provider", sql`provider`],
  ["model", sql`if(response_model != '', response_model, request_model)`],
  ["operation", sql`operation`],
  ["calls", sql`count()`],
  ["unpriced_calls", sql`countIf(cost_source = 'unpriced')`],
  ["error_calls", sql`countIf(status = 'error')`],
  ["estimated_calls", sql`countIf(estimated)`],
  ["input_tokens", sql`sum(toUInt64(input_tokens))`],
  ["output_tokens", sql`sum(toUInt64(output_tokens))`],
  ["cache_read_tokens", sql`sum(toUInt64(cache_read_tokens))`],
  ["cache_write_tokens", sql`sum(toUInt64(cache_write_tokens))`],
  ["reasoning_tokens", sql`sum(toUInt64(reasoning_tokens))`],
  ["cost_input", sql`sum(cost_input)`],
  ["cost_output", sql`sum(cost_output)`],
  ["cost_cache_read", sql`sum(cost_cache_read)`],
  ["cost_cache_write", sql`sum(cost_cache_write)`],
  ["cost_total", sql`sum(cost_total)`],
];
const ROLLUP_GROUP_BY = sql`project_id, minute, service, feature, user_id, tenant, agent, provider, model, operation`;

/** `YYYY-MM-DD hh:mm:ss.mmm` in UTC, which DateTime64 parameters parse. */
export function dateTimeText(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}
