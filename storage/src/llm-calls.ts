import type { CallCost, LlmCall } from "@burnrate/core";
import type { ClickHouse } from "./client.js";
import { build, param, sql } from "./sql.js";

/** An `llm_calls` row as ClickHouse takes it in JSONEachRow. */
export interface LlmCallRow {
  project_id: string;
  start_time: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  session_id: string;
  service: string;
  agent: string;
  feature: string;
  user_id: string;
  tenant: string;
  provider: string;
  operation: string;
  request_model: string;
  response_model: string;
  service_tier: string;
  input_tokens: number;
  /** Of `input_tokens`, those that were audio (`TokenUsage.audioInput`); 0 when none. */
  audio_input_tokens: number;
  output_tokens: number;
  /** Of `output_tokens`, those that were audio (`TokenUsage.audioOutput`); 0 when none. */
  audio_output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** Of `cache_write_tokens`, those written to a one-hour cache (`TokenUsage.cacheWrite1h`); 0 when none. */
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  /** Server-side web searches the call ran, billed per search (`TokenUsage.webSearches`); 0 when none. */
  web_searches: number;
  cost_input: string;
  cost_output: string;
  cost_cache_read: string;
  cost_cache_write: string;
  cost_total: string;
  cost_source: CallCost["source"];
  price_version: string;
  estimated: boolean;
  prompt_fingerprint: string;
  tool_call_fingerprints: string[];
  status: LlmCall["status"];
  error_type: string;
  duration_ns: string;
  version: string;
}

/** Maps a normalised call to its row. `version` orders rewrites of the same span (reprice). */
export function toLlmCallRow(call: LlmCall, version: bigint): LlmCallRow {
  return {
    project_id: call.projectId,
    start_time: nanosToDateTime64(call.startTimeUnixNano),
    trace_id: call.traceId,
    span_id: call.spanId,
    parent_span_id: call.parentSpanId,
    session_id: call.sessionId,
    service: call.service,
    agent: call.agent,
    feature: call.feature,
    user_id: call.user,
    tenant: call.tenant,
    provider: call.provider,
    operation: call.operation,
    request_model: call.requestModel,
    response_model: call.responseModel,
    service_tier: call.serviceTier,
    input_tokens: call.tokens.input,
    audio_input_tokens: call.tokens.audioInput ?? 0,
    output_tokens: call.tokens.output,
    audio_output_tokens: call.tokens.audioOutput ?? 0,
    cache_read_tokens: call.tokens.cacheRead,
    cache_write_tokens: call.tokens.cacheWrite,
    cache_write_1h_tokens: call.tokens.cacheWrite1h ?? 0,
    reasoning_tokens: call.tokens.reasoning,
    web_searches: call.tokens.webSearches ?? 0,
    cost_input: call.cost.input,
    cost_output: call.cost.output,
    cost_cache_read: call.cost.cacheRead,
    cost_cache_write: call.cost.cacheWrite,
    cost_total: call.cost.total,
    cost_source: call.cost.source,
    price_version: call.cost.priceVersion,
    estimated: call.estimated,
    prompt_fingerprint: call.promptFingerprint,
    tool_call_fingerprints: call.toolCallFingerprints,
    status: call.status,
    error_type: call.errorType,
    duration_ns: call.durationNs.toString(),
    version: version.toString(),
  };
}

/**
 * The latest time stored: 2100-01-01T00:00:00Z. DateTime64(9) reaches 2262, but every table's
 * TTL converts its time to DateTime, which ends in 2106 and wraps to 1970 past it, so a row
 * dated later would count as expired and be dropped at the next merge. Six years short of
 * 2106, a TTL of up to six years still counts right. (OTLP times are unsigned: none is earlier.)
 */
const LATEST_NANOS = 4_102_444_800_000_000_000n;

/**
 * Unix nanoseconds as `seconds.nanoseconds`, which DateTime64(9) parses without float loss.
 * The seconds always have ten digits: ClickHouse reads fewer (any time before 1973-03-03) as
 * a date, and refuses the row or, worse, reads another time. A time past `LATEST_NANOS` is
 * written as `LATEST_NANOS`.
 * @example nanosToDateTime64(1_500_000_000n) === "0000000001.500000000"
 */
export function nanosToDateTime64(nanos: bigint): string {
  const clamped = nanos > LATEST_NANOS ? LATEST_NANOS : nanos < 0n ? 0n : nanos;
  const seconds = (clamped / 1_000_000_000n).toString().padStart(10, "0");
  const fraction = (clamped % 1_000_000_000n).toString().padStart(9, "0");
  return `${seconds}.${fraction}`;
}

/** A row already serialised as one JSON line, with the key that identifies its span. */
export interface SerialisedCall {
  project_id: string;
  trace_id: string;
  span_id: string;
  json: string;
}

/**
 * Inserts calls that `llm_calls` does not hold yet, and returns how many it inserted.
 *
 * The rollup is a materialized view over inserts into `llm_calls`, so a span inserted twice
 * would be summed twice there even though ReplacingMergeTree collapses it in `llm_calls`.
 * Looking up the batch's (trace, span) keys first keeps every total exact. Callers run one
 * write at a time per store (the collector's writer is a single queue), so two writes never
 * race on the same key.
 */
export async function insertNewLlmCalls(db: ClickHouse, rows: readonly LlmCallRow[]): Promise<number> {
  return insertNewSerialisedCalls(
    db,
    rows.map((row) => ({ ...row, json: JSON.stringify(row) })),
  );
}

/** The same, for rows serialised already (the collector's spool holds them that way). */
export async function insertNewSerialisedCalls(
  db: ClickHouse,
  rows: readonly SerialisedCall[],
): Promise<number> {
  const fresh = await withoutStored(db, uniqueByKey(rows));
  if (fresh.length === 0) return 0;
  let payload = "";
  for (const row of fresh) payload += `${row.json}\n`;
  await db.insertJsonEachRow("llm_calls", Buffer.from(payload));
  return fresh.length;
}

type Keyed = Pick<SerialisedCall, "project_id" | "trace_id" | "span_id">;

function key(row: Keyed): string {
  return `${row.project_id}\u0000${row.trace_id}\u0000${row.span_id}`;
}

function uniqueByKey<T extends Keyed>(rows: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const row of rows) if (!seen.has(key(row))) seen.set(key(row), row);
  return [...seen.values()];
}

/**
 * The most trace ids one look-up sends. The server driver sends them as one URL parameter, and
 * ClickHouse refuses any parameter over `http_max_field_value_size` (128 KiB by default) before
 * it reads the SQL: an OTLP trace id takes 41 bytes there (`%2732 hex digits%27%2C`), so one
 * look-up of a batch from 3,200 traces would fail, and fail again on every retry. A thousand
 * take 41 KiB. chDB has no such limit, but runs the same chunks so both run the same SQL.
 */
const TRACES_PER_LOOKUP = 1_000;

async function withoutStored<T extends Keyed>(db: ClickHouse, rows: T[]): Promise<T[]> {
  if (rows.length === 0) return rows;
  const tracesByProject = new Map<string, Set<string>>();
  for (const row of rows) {
    const traces = tracesByProject.get(row.project_id) ?? new Set<string>();
    traces.add(row.trace_id);
    tracesByProject.set(row.project_id, traces);
  }
  const stored = new Set<string>();
  for (const [project, traces] of tracesByProject) {
    const ids = [...traces];
    for (let start = 0; start < ids.length; start += TRACES_PER_LOOKUP) {
      const chunk = ids.slice(start, start + TRACES_PER_LOOKUP);
      const found = await db.query<{ trace_id: string; span_id: string }>(
        build(sql`SELECT trace_id, span_id FROM llm_calls
          WHERE project_id = ${param("String", project)} AND trace_id IN ${param("Array(String)", chunk)}`),
      );
      for (const f of found) stored.add(key({ project_id: project, ...f }));
    }
  }
  return rows.filter((row) => !stored.has(key(row)));
}
