import { build, type ClickHouse, type Fragment, param, sql } from "@burnrate/storage";
import { POINT_READ_SETTINGS } from "./read-settings.js";

/** One stored LLM call, as the trace and session views read it. */
export interface CallRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  start: string;
  end: string;
  duration_ns: number;
  service: string;
  agent: string;
  feature: string;
  user_id: string;
  tenant: string;
  session_id: string;
  provider: string;
  operation: string;
  request_model: string;
  response_model: string;
  service_tier: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_input: string;
  cost_output: string;
  cost_cache_read: string;
  cost_cache_write: string;
  cost_total: string;
  cost_source: "provider" | "computed" | "unpriced";
  price_version: string;
  estimated: boolean;
  status: "ok" | "error";
  error_type: string;
}

const CALL_COLUMNS = sql`trace_id, span_id, parent_span_id,
  toString(start_time) AS start,
  toString(start_time + toIntervalNanosecond(duration_ns)) AS end,
  duration_ns, service, agent, feature, user_id, tenant, session_id, provider, operation,
  request_model, response_model, service_tier,
  input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
  cost_input, cost_output, cost_cache_read, cost_cache_write, cost_total, cost_source,
  price_version, estimated, status, error_type`;

/**
 * Every call of one trace. The primary key starts with (project_id, trace_id), so this is a
 * range read whatever the table's size. A span stored twice counts once: see `readCalls`.
 */
export function traceCalls(db: ClickHouse, project: string, traceId: string): Promise<CallRow[]> {
  return readCalls(
    db,
    sql`project_id = ${param("String", project)} AND trace_id = ${param("String", traceId)}`,
    POINT_READ_SETTINGS,
  );
}

/** Every call of one session, across its traces (the bloom-filter index on session_id narrows the read). */
export function sessionCalls(db: ClickHouse, project: string, sessionId: string): Promise<CallRow[]> {
  return readCalls(
    db,
    sql`project_id = ${param("String", project)} AND session_id = ${param("String", sessionId)}`,
    sql``,
  );
}

/** The most calls one trace or session view reads, so a runaway loop cannot exhaust memory. */
export const MAX_VIEW_CALLS = 20_000;

/**
 * Reads calls with exactly FINAL's result for a ReplacingMergeTree(version): the row with
 * the highest version of each (trace, span) key; copies with equal versions are the same
 * export retried, so any one will do. The rows are read plainly and the copies dropped
 * here, because for a point read of one trace or session FINAL costs 3-5x more on chDB
 * (about 45 ms against 9 ms at 10M calls): it merges every part's ranges around the key,
 * where this reads the few rows found. Aggregations over ranges still use FINAL.
 */
async function readCalls(db: ClickHouse, where: Fragment, settings: Fragment): Promise<CallRow[]> {
  const rows = await db.query<CallRow & { version: string }>(
    build(sql`SELECT ${CALL_COLUMNS}, toString(version) AS version FROM llm_calls WHERE ${where}
      ORDER BY start_time, span_id LIMIT ${param("UInt32", 2 * MAX_VIEW_CALLS)} ${settings}`),
  );
  const latest = new Map<string, CallRow & { version: string }>();
  for (const row of rows) {
    const key = `${row.trace_id}\u0000${row.span_id}`;
    const kept = latest.get(key);
    if (!kept || BigInt(row.version) > BigInt(kept.version)) latest.set(key, row);
  }
  // Map order is first-seen order, which is (start_time, span_id): the order callers expect.
  return [...latest.values()].slice(0, MAX_VIEW_CALLS).map(({ version: _version, ...call }) => call);
}
