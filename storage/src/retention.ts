import type { ClickHouse } from "./client.js";
import { build, ident, int, param, sql } from "./sql.js";

export interface Retention {
  /** Days to keep raw spans. */
  spansDays: number;
  /** Days to keep LLM calls, the cost rollup and incidents. */
  callsDays: number;
}

/** The time expression each table's TTL counts from. */
const TTL_COLUMNS = {
  spans: "toDateTime(Timestamp)",
  llm_calls: "toDateTime(start_time)",
  llm_cost_minutely: "minute",
  incidents: "toDateTime(created_at)",
} as const;

type Table = keyof typeof TTL_COLUMNS;

/**
 * Sets each table's TTL to the configured retention. It reads the current TTL first and
 * only alters a table whose retention changed, because MODIFY TTL rewrites existing parts.
 * Returns the tables it changed.
 */
export async function applyRetention(db: ClickHouse, retention: Retention): Promise<Table[]> {
  const wanted: Record<Table, number> = {
    spans: retention.spansDays,
    llm_calls: retention.callsDays,
    llm_cost_minutely: retention.callsDays,
    incidents: retention.callsDays,
  };
  const changed: Table[] = [];
  for (const table of Object.keys(TTL_COLUMNS) as Table[]) {
    const current = await currentTtlDays(db, table);
    if (current === wanted[table]) continue;
    const column = TTL_COLUMNS[table];
    // ClickHouse takes no parameters in DDL; `int` checks the value is an integer.
    await db.command(
      build(
        sql`ALTER TABLE ${ident(table)} MODIFY TTL ${rawExpression(column)} + toIntervalDay(${int(wanted[table])})`,
      ),
    );
    changed.push(table);
  }
  return changed;
}

/** The retention in days a table's TTL now has, or undefined when it has none. */
export async function currentTtlDays(db: ClickHouse, table: string): Promise<number | undefined> {
  const rows = await db.query<{ engine_full: string }>(
    build(
      sql`SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = ${param("String", table)}`,
    ),
  );
  const match = /TTL .*toIntervalDay\((\d+)\)/.exec(rows[0]?.engine_full ?? "");
  return match ? Number(match[1]) : undefined;
}

function rawExpression(expression: (typeof TTL_COLUMNS)[Table]) {
  // These expressions are the constants above, never input.
  return sql([expression] as unknown as TemplateStringsArray);
}
