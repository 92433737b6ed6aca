import { type CallCost, type LlmCall, type PriceBook, parseUsd, sumUsd } from "@burnrate/core";
import type { ClickHouse } from "./client.js";
import { type LlmCallRow, toLlmCallRow } from "./llm-calls.js";
import { dateTimeText, minuteList, rebuildRollupMinutes } from "./rollup-rebuild.js";
import { and, build, type Fragment, join, param, sql } from "./sql.js";

/** What to reprice: calls that started in [from, to), optionally of one model and one project. */
export interface RepriceOptions {
  from: Date;
  /** Exclusive. */
  to: Date;
  /** Only calls whose `request_model` or `response_model` is exactly this name. */
  model?: string;
  project?: string;
  /** Compute and report, but write nothing. */
  dryRun?: boolean;
  /** Calls read per page (keyset pagination on the primary key). Default 10,000. */
  pageSize?: number;
  /** Called after each page of calls and after each rebuilt rollup window. */
  onProgress?: (progress: RepriceProgress) => void;
}

/** How far a reprice has got: `calls` counts calls read, `rollup` counts hour windows rebuilt. */
export interface RepriceProgress {
  phase: "calls" | "rollup";
  done: number;
  total: number;
  /** Calls whose cost changed so far. */
  changed: number;
}

/** The outcome of a reprice. Dollar amounts are exact 12-decimal strings. */
export interface RepriceReport {
  calls: number;
  changed: number;
  costBefore: string;
  costAfter: string;
  unpricedBefore: number;
  unpricedAfter: number;
  /** (project, minute) rows of `llm_cost_minutely` rebuilt; 0 on a dry run. */
  rollupMinutes: number;
  /** Minutes an earlier reprice left to rebuild (it failed or was stopped), rebuilt first. */
  rollupRepaired: number;
}

const DEFAULT_PAGE_SIZE = 10_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * Recomputes the cost of stored calls with `book` (after a genai-prices upgrade or an edited
 * overrides file) and rewrites the calls whose cost or price version changed.
 *
 * Calls are read from `llm_calls FINAL` in pages ordered by the primary key, each page
 * starting after the last key of the one before (never OFFSET, which rereads what it skips).
 * A changed call is re-inserted with a higher `version`, so ReplacingMergeTree keeps it.
 * Provider-reported costs are kept: the price book returns them unchanged.
 *
 * The materialized view feeding `llm_cost_minutely` sums every insert, so a re-inserted call
 * would be counted twice. Once all pages are written, every (project, minute) holding a
 * rewritten call is rebuilt from `llm_calls FINAL`, one hour window at a time (see
 * `rebuildRollupMinutes`). Calls the collector writes into those minutes while a reprice runs
 * may be counted twice or not at all, so a range should end a few minutes before now. Each
 * page's minutes are recorded in `rollup_repairs` before its calls are written and removed
 * once rebuilt, so a run that fails or is stopped half-way leaves them there, and the next
 * run (of any range) rebuilds them first.
 * @example
 * const report = await reprice(db, createPriceBook(), { from: new Date("2026-11-01"), to: new Date("2026-11-02") });
 * // report.changed calls were rewritten; report.costBefore → report.costAfter
 */
export async function reprice(
  db: ClickHouse,
  book: Pick<PriceBook, "price">,
  options: RepriceOptions,
): Promise<RepriceReport> {
  if (options.to.getTime() <= options.from.getTime()) throw new RangeError("`to` must be after `from`");
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const filter = callFilter(options);
  const total = await countCalls(db, filter);
  // Nanoseconds, like the collector's versions, so a later collector write still wins over ours.
  const now = BigInt(Date.now()) * 1_000_000n;
  const affected = new Map<string, RollupWindow>();
  const pageMinutes = new Map<string, RollupWindow>();
  const report: RepriceReport = {
    calls: 0,
    changed: 0,
    costBefore: "0",
    costAfter: "0",
    unpricedBefore: 0,
    unpricedAfter: 0,
    rollupMinutes: 0,
    rollupRepaired: 0,
  };
  if (!options.dryRun) report.rollupRepaired = await repairPending(db);
  let after: StoredCall | undefined;
  for (;;) {
    const page = await readPage(db, filter, after, pageSize);
    const rewrites: LlmCallRow[] = [];
    const before: string[] = [report.costBefore];
    const later: string[] = [report.costAfter];
    for (const row of page) {
      const call = toCall(row);
      const { cost } = book.price(call);
      before.push(call.cost.total);
      later.push(cost.total);
      if (call.cost.source === "unpriced") report.unpricedBefore++;
      if (cost.source === "unpriced") report.unpricedAfter++;
      if (sameCost(call.cost, cost)) continue;
      const stored = BigInt(row.version_text);
      rewrites.push(toLlmCallRow({ ...call, cost }, stored < now ? now : stored + 1n));
      addMinute(affected, call.projectId, call.startTimeUnixNano);
      addMinute(pageMinutes, call.projectId, call.startTimeUnixNano);
    }
    if (!options.dryRun && rewrites.length > 0) {
      await recordPending(db, pageMinutes);
      await db.insert("llm_calls", rewrites);
    }
    pageMinutes.clear();
    report.calls += page.length;
    report.changed += rewrites.length;
    report.costBefore = sumUsd(before);
    report.costAfter = sumUsd(later);
    options.onProgress?.({ phase: "calls", done: report.calls, total, changed: report.changed });
    if (page.length < pageSize) break;
    after = page[page.length - 1];
  }
  if (!options.dryRun) report.rollupMinutes = await rebuildAffected(db, affected, report.changed, options);
  return report;
}

/** One project's affected minutes within one hour: the unit the rollup is rebuilt in. */
interface RollupWindow {
  project: string;
  minutes: Set<number>;
}

function addMinute(windows: Map<string, RollupWindow>, project: string, unixNano: bigint): void {
  const minute = Number(unixNano / 60_000_000_000n) * MINUTE_MS;
  const key = `${project}\u0000${Math.floor(minute / HOUR_MS)}`;
  const window = windows.get(key) ?? { project, minutes: new Set<number>() };
  window.minutes.add(minute);
  windows.set(key, window);
}

async function rebuildAffected(
  db: ClickHouse,
  windows: Map<string, RollupWindow>,
  changed: number,
  options: RepriceOptions,
): Promise<number> {
  let minutes = 0;
  let done = 0;
  for (const window of windows.values()) {
    await rebuildWindow(db, window);
    minutes += window.minutes.size;
    options.onProgress?.({ phase: "rollup", done: ++done, total: windows.size, changed });
  }
  return minutes;
}

/** Rebuilds a window's minutes, then strikes them off `rollup_repairs`. */
async function rebuildWindow(db: ClickHouse, window: RollupWindow): Promise<void> {
  const minutes = [...window.minutes].map((ms) => new Date(ms));
  await rebuildRollupMinutes(db, window.project, minutes);
  await db.command(
    build(sql`DELETE FROM rollup_repairs WHERE project_id = ${param("String", window.project)}
      AND minute IN ${minuteList(minutes)} SETTINGS lightweight_deletes_sync = 2`),
  );
}

/** Records the minutes a page's re-inserted calls are about to count twice. */
async function recordPending(db: ClickHouse, windows: Map<string, RollupWindow>): Promise<void> {
  const rows = [...windows.values()].flatMap((w) =>
    [...w.minutes].map((ms) => ({ project_id: w.project, minute: dateTimeText(new Date(ms)).slice(0, 19) })),
  );
  await db.insert("rollup_repairs", rows);
}

/** Rebuilds what an earlier reprice left in `rollup_repairs`; returns the minutes rebuilt. */
async function repairPending(db: ClickHouse): Promise<number> {
  const rows = await db.query<{ project_id: string; minute_ms: number }>(
    build(sql`SELECT project_id, toUnixTimestamp(minute) * 1000 AS minute_ms FROM rollup_repairs FINAL`),
  );
  const windows = new Map<string, RollupWindow>();
  for (const row of rows) addMinute(windows, row.project_id, BigInt(row.minute_ms) * 1_000_000n);
  for (const window of windows.values()) await rebuildWindow(db, window);
  return rows.length;
}

/** An `llm_calls` row as read back: 64-bit values and the start time as exact digit strings. */
type StoredCall = Omit<LlmCallRow, "start_time" | "duration_ns" | "version"> & {
  start_ns: string;
  duration_text: string;
  version_text: string;
};

// Every column; the 64-bit ones and start_time come back as digit strings, which JSON keeps exact.
const STORED_COLUMNS = sql`project_id, trace_id, span_id, parent_span_id, session_id, service, agent, feature,
  user_id, tenant, provider, operation, request_model, response_model, service_tier,
  input_tokens, audio_input_tokens, output_tokens, audio_output_tokens,
  cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, web_searches,
  cost_input, cost_output, cost_cache_read, cost_cache_write, cost_total, cost_source, price_version,
  estimated, prompt_fingerprint, tool_call_fingerprints, status, error_type,
  toString(toUnixTimestamp64Nano(start_time)) AS start_ns,
  toString(duration_ns) AS duration_text,
  toString(version) AS version_text`;

function callFilter(options: RepriceOptions): Fragment {
  return and([
    sql`start_time >= ${param("DateTime64(9, 'UTC')", dateTimeText(options.from))}`,
    sql`start_time < ${param("DateTime64(9, 'UTC')", dateTimeText(options.to))}`,
    options.model === undefined
      ? undefined
      : sql`request_model = ${param("String", options.model)} OR response_model = ${param("String", options.model)}`,
    options.project === undefined ? undefined : sql`project_id = ${param("String", options.project)}`,
  ]);
}

async function countCalls(db: ClickHouse, filter: Fragment): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    build(sql`SELECT count() AS n FROM llm_calls FINAL WHERE ${filter}`),
  );
  return Number(row?.n ?? 0);
}

async function readPage(
  db: ClickHouse,
  filter: Fragment,
  after: StoredCall | undefined,
  size: number,
): Promise<StoredCall[]> {
  const afterKey = after && sql`(project_id, trace_id, span_id) > (${keyOf(after)})`;
  return db.query<StoredCall>(
    build(sql`SELECT ${STORED_COLUMNS}
      FROM llm_calls FINAL
      WHERE ${and([filter, afterKey])}
      ORDER BY project_id, trace_id, span_id
      LIMIT ${param("UInt64", size)}`),
  );
}

function keyOf(row: StoredCall): Fragment {
  const parts = [row.project_id, row.trace_id, row.span_id].map((value) => sql`${param("String", value)}`);
  return join(parts, ", ");
}

/** The inverse of `toLlmCallRow`, enough for the price book and for writing the row back. */
function toCall(row: StoredCall): LlmCall {
  return {
    projectId: row.project_id,
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    startTimeUnixNano: BigInt(row.start_ns),
    durationNs: BigInt(row.duration_text),
    sessionId: row.session_id,
    service: row.service,
    agent: row.agent,
    feature: row.feature,
    user: row.user_id,
    tenant: row.tenant,
    provider: row.provider,
    operation: row.operation,
    requestModel: row.request_model,
    responseModel: row.response_model,
    serviceTier: row.service_tier,
    tokens: {
      input: row.input_tokens,
      output: row.output_tokens,
      cacheRead: row.cache_read_tokens,
      cacheWrite: row.cache_write_tokens,
      // Only when there is one, as the collector's calls carry it: the price book charges
      // this part of the writes at the one-hour rate, and `toLlmCallRow` writes it back.
      ...(row.cache_write_1h_tokens > 0 ? { cacheWrite1h: row.cache_write_1h_tokens } : {}),
      reasoning: row.reasoning_tokens,
      // Likewise only when there are any: the price book charges audio at its own rates and
      // each web search its fee, and `toLlmCallRow` writes them back.
      ...(row.audio_input_tokens > 0 ? { audioInput: row.audio_input_tokens } : {}),
      ...(row.audio_output_tokens > 0 ? { audioOutput: row.audio_output_tokens } : {}),
      ...(row.web_searches > 0 ? { webSearches: row.web_searches } : {}),
    },
    cost: {
      input: row.cost_input,
      output: row.cost_output,
      cacheRead: row.cost_cache_read,
      cacheWrite: row.cost_cache_write,
      total: row.cost_total,
      source: row.cost_source,
      priceVersion: row.price_version,
    },
    estimated: row.estimated,
    promptFingerprint: row.prompt_fingerprint,
    toolCallFingerprints: row.tool_call_fingerprints,
    status: row.status,
    errorType: row.error_type,
  };
}

/** Compares amounts as numbers: ClickHouse prints `0.0025` where the price book says `0.002500000000`. */
function sameCost(a: CallCost, b: CallCost): boolean {
  const parts = ["input", "output", "cacheRead", "cacheWrite", "total"] as const;
  return (
    a.source === b.source &&
    a.priceVersion === b.priceVersion &&
    parts.every((part) => parseUsd(a[part]) === parseUsd(b[part]))
  );
}
