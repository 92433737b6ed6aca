import { build, type ClickHouse, type Fragment, param, sql } from "@burnrate/storage";
import { CALL_MODEL } from "./call-filters.js";
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
  audio_input_tokens: number;
  output_tokens: number;
  audio_output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  web_searches: number;
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

/** The calls one view reads: one trace's, or one session's across its traces. */
export interface CallScope {
  where: Fragment;
  settings: Fragment;
}

/** One trace. The primary key starts with (project_id, trace_id): a range read whatever the table's size. */
export function traceScope(project: string, traceId: string): CallScope {
  return {
    where: sql`project_id = ${param("String", project)} AND trace_id = ${param("String", traceId)}`,
    settings: POINT_READ_SETTINGS,
  };
}

/** One session, across its traces (the bloom-filter index on session_id narrows the read). */
export function sessionScope(project: string, sessionId: string): CallScope {
  return {
    where: sql`project_id = ${param("String", project)} AND session_id = ${param("String", sessionId)}`,
    settings: sql``,
  };
}

/** The most calls one view lists, so a runaway loop cannot exhaust memory. */
export const MAX_VIEW_CALLS = 20_000;

/** The most stored rows a call list reads: each call once, and room for copies of some. */
const MAX_LIST_ROWS = 2 * MAX_VIEW_CALLS;

const CALL_COLUMNS = sql`trace_id, span_id, parent_span_id,
  toString(start_time) AS start,
  toString(start_time + toIntervalNanosecond(duration_ns)) AS end,
  duration_ns, service, agent, feature, user_id, tenant, session_id, provider, operation,
  request_model, response_model, service_tier,
  input_tokens, audio_input_tokens, output_tokens, audio_output_tokens,
  cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, web_searches,
  cost_input, cost_output, cost_cache_read, cost_cache_write, cost_total, cost_source,
  price_version, estimated, status, error_type`;

/**
 * The first `MAX_VIEW_CALLS` calls of a scope by start time, with exactly FINAL's result for
 * a ReplacingMergeTree(version): the row with the highest version of each (trace, span)
 * key; copies with equal versions are the same export retried, so any one will do.
 * `truncated` says the scope has calls beyond the list.
 *
 * The rows are read plainly and the copies dropped here: for a point read of one trace this
 * is the cheapest read there is (about 9.5 ms at 10M calls on chDB, against 12-15 ms for the
 * same de-duplication in SQL and ~45 ms with FINAL). Copies of a call share its start time
 * and span id, so they arrive side by side; when the read is cut, the last call's copies may
 * go on past the cut, so that call is left to the part of the list that was not read.
 */
export async function listCalls(
  db: ClickHouse,
  scope: CallScope,
): Promise<{ calls: CallRow[]; truncated: boolean }> {
  const rows = await db.query<CallRow & { version: string }>(
    build(sql`SELECT ${CALL_COLUMNS}, toString(version) AS version FROM llm_calls WHERE ${scope.where}
      ORDER BY start_time, span_id LIMIT ${param("UInt32", MAX_LIST_ROWS)} ${scope.settings}`),
  );
  const latest = new Map<string, CallRow & { version: string }>();
  let lastKey = "";
  for (const row of rows) {
    lastKey = `${row.trace_id}\u0000${row.span_id}`;
    const kept = latest.get(lastKey);
    if (!kept || BigInt(row.version) > BigInt(kept.version)) latest.set(lastKey, row);
  }
  const cut = rows.length === MAX_LIST_ROWS;
  if (cut) latest.delete(lastKey);
  // Map order is first-seen order, which is (start_time, span_id): the order callers expect.
  const calls = [...latest.values()].map(({ version: _version, ...call }) => call);
  return { calls: calls.slice(0, MAX_VIEW_CALLS), truncated: cut || calls.length > MAX_VIEW_CALLS };
}

const STORED_COLUMNS = sql`trace_id, span_id, parent_span_id, start_time, duration_ns, service, agent, feature,
  user_id, tenant, session_id, provider, operation, request_model, response_model, service_tier,
  input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
  cost_input, cost_output, cost_cache_read, cost_cache_write, cost_total, cost_source,
  price_version, estimated, status, error_type`;

/**
 * Each call of the scope once, at its highest version, in SQL: what FINAL keeps, as
 * `listCalls` does, for aggregates over every call. For the rows of one trace or session a
 * small sort of the rows found costs less than FINAL, which merges every part's ranges
 * around the key.
 */
function latestCalls(scope: CallScope): Fragment {
  return sql`SELECT ${STORED_COLUMNS} FROM llm_calls WHERE ${scope.where}
    ORDER BY version DESC LIMIT 1 BY trace_id, span_id`;
}

/** A scope's calls summed per (provider, model): counts, tokens, priced cost, attribution. */
export interface ModelRow {
  provider: string;
  model: string;
  calls: number;
  unpricedCalls: number;
  errorCalls: number;
  estimatedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Priced calls only: an unpriced call's cost parts are unknown, not $0. */
  costInput: string;
  costOutput: string;
  costCacheRead: string;
  costCacheWrite: string;
  costTotal: string;
  services: string[];
  features: string[];
  users: string[];
  tenants: string[];
  agents: string[];
  sessions: string[];
  /** The first call's start and the last call's end, as ClickHouse text. */
  start: string;
  end: string;
}

/**
 * Every call of a scope, summed per model in SQL, exactly (Decimal money, 64-bit tokens),
 * however many calls it has. Models are few, so the caller adds them up into the totals.
 */
export function scopeModels(db: ClickHouse, scope: CallScope): Promise<ModelRow[]> {
  const priced = sql`cost_source != 'unpriced'`;
  return db.query<ModelRow>(
    build(sql`SELECT provider, toString(${CALL_MODEL}) AS model,
        count() AS calls,
        countIf(cost_source = 'unpriced') AS unpricedCalls,
        countIf(status = 'error') AS errorCalls,
        countIf(estimated) AS estimatedCalls,
        sum(toUInt64(input_tokens)) AS inputTokens,
        sum(toUInt64(output_tokens)) AS outputTokens,
        sum(toUInt64(cache_read_tokens)) AS cacheReadTokens,
        sum(toUInt64(cache_write_tokens)) AS cacheWriteTokens,
        sum(toUInt64(reasoning_tokens)) AS reasoningTokens,
        sumIf(cost_input, ${priced}) AS costInput,
        sumIf(cost_output, ${priced}) AS costOutput,
        sumIf(cost_cache_read, ${priced}) AS costCacheRead,
        sumIf(cost_cache_write, ${priced}) AS costCacheWrite,
        sumIf(cost_total, ${priced}) AS costTotal,
        ${distinct(sql`service`)} AS services,
        ${distinct(sql`feature`)} AS features,
        ${distinct(sql`user_id`)} AS users,
        ${distinct(sql`tenant`)} AS tenants,
        ${distinct(sql`agent`)} AS agents,
        ${distinct(sql`session_id`)} AS sessions,
        toString(min(start_time)) AS start,
        toString(max(start_time + toIntervalNanosecond(duration_ns))) AS end
      FROM (${latestCalls(scope)})
      GROUP BY provider, model
      ${scope.settings}`),
  );
}

function distinct(column: Fragment): Fragment {
  return sql`groupUniqArrayIf(${column}, ${column} != '')`;
}

/** One trace of a session: when it ran, its calls and its priced cost. */
export interface SessionTraceRow {
  trace_id: string;
  start: string;
  end: string;
  calls: number;
  unpricedCalls: number;
  pricedCostUsd: string;
}

/** The most traces one session view lists. */
export const MAX_VIEW_TRACES = 20_000;

/** A session's first `MAX_VIEW_TRACES` traces by start, each summed over all its calls, and whether it has more. */
export async function sessionTraces(
  db: ClickHouse,
  scope: CallScope,
): Promise<{ traces: SessionTraceRow[]; truncated: boolean }> {
  const rows = await db.query<SessionTraceRow>(
    build(sql`SELECT trace_id,
        toString(min(start_time)) AS start,
        toString(max(start_time + toIntervalNanosecond(duration_ns))) AS end,
        count() AS calls,
        countIf(cost_source = 'unpriced') AS unpricedCalls,
        sumIf(cost_total, cost_source != 'unpriced') AS pricedCostUsd
      FROM (${latestCalls(scope)})
      GROUP BY trace_id
      ORDER BY min(start_time), trace_id
      LIMIT ${param("UInt32", MAX_VIEW_TRACES + 1)}
      ${scope.settings}`),
  );
  return { traces: rows.slice(0, MAX_VIEW_TRACES), truncated: rows.length > MAX_VIEW_TRACES };
}
