import type { ClickHouse } from "../client.js";
import { build, param, sql } from "../sql.js";

/** Totals for one trace. Money is an exact decimal string; unpriced calls are counted apart. */
export interface TraceCost {
  calls: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: string;
}

/**
 * The cost of one trace, read from `llm_calls` with FINAL so a span stored twice (before
 * ReplacingMergeTree has merged it away) counts once. The primary key starts with
 * (project_id, trace_id), so this is a range read however large the table grows.
 */
export async function traceCost(db: ClickHouse, projectId: string, traceId: string): Promise<TraceCost> {
  const [row] = await db.query<TraceCost>(
    build(sql`SELECT
        count() AS calls,
        countIf(cost_source = 'unpriced') AS unpricedCalls,
        sum(input_tokens) AS inputTokens,
        sum(output_tokens) AS outputTokens,
        sum(cache_read_tokens) AS cacheReadTokens,
        sum(cache_write_tokens) AS cacheWriteTokens,
        sum(reasoning_tokens) AS reasoningTokens,
        sum(cost_total) AS costUsd
      FROM llm_calls FINAL
      WHERE project_id = ${param("String", projectId)} AND trace_id = ${param("String", traceId)}`),
  );
  return row!;
}
