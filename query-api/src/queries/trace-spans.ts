import { build, type ClickHouse, param, sql } from "@burnrate/storage";
import { FINAL_POINT_READ_SETTINGS } from "./read-settings.js";

/** One stored span of a trace, with the columns the span tree shows. */
export interface SpanRow {
  span_id: string;
  parent_span_id: string;
  name: string;
  kind: string;
  service: string;
  start: string;
  end: string;
  duration_ns: number;
  status: string;
}

/** The most spans one trace view reads. */
export const MAX_VIEW_SPANS = 20_000;

/**
 * The spans of one trace, the first `MAX_VIEW_SPANS` by start time, and whether it has more.
 *
 * `spans` is ordered by (ProjectId, ServiceName, SpanName, time, TraceId), so a trace id
 * cannot use the primary key: the lookup is pruned by the table's day partitions, then by
 * the TraceId bloom filter of each granule, and its cost grows with the days it searches.
 * When the trace's calls say when it ran (`calls`: the first call's start and the last
 * call's end), it searches their days plus one whole day before and after. An agent's root
 * and tool spans start before its first LLM call and end after its last, by hours on a long
 * run; a day's margin covers that for two more days of bloom filters. Measured on chDB with
 * 20M spans over 10 days, one trace's lookup took 11 ms within ±1 hour, 12 ms within ±1 day,
 * 20 ms within ±7 days and 21 ms over all 10 days. A span that started more than a day
 * before or after every call of its trace is not found (those calls still show, as nodes of
 * their own). A trace without calls is searched in every partition.
 */
export async function traceSpans(
  db: ClickHouse,
  project: string,
  traceId: string,
  calls?: { start: string; end: string },
): Promise<{ spans: SpanRow[]; truncated: boolean }> {
  const within = calls
    ? sql`AND Timestamp >= toStartOfDay(toDateTime64(${param("String", calls.start)}, 9, 'UTC')) - INTERVAL 1 DAY
        AND Timestamp < toStartOfDay(toDateTime64(${param("String", calls.end)}, 9, 'UTC')) + INTERVAL 2 DAY`
    : sql``;
  // One more than is kept, to tell a trace of exactly the cap from a bigger one.
  const spans = await db.query<SpanRow>(
    build(sql`SELECT SpanId AS span_id, ParentSpanId AS parent_span_id, SpanName AS name,
        SpanKind AS kind, ServiceName AS service, toString(Timestamp) AS start,
        toString(Timestamp + toIntervalNanosecond(Duration)) AS end,
        Duration AS duration_ns, StatusCode AS status
      FROM spans FINAL
      WHERE ProjectId = ${param("String", project)} AND TraceId = ${param("String", traceId)} ${within}
      ORDER BY Timestamp, SpanId
      LIMIT ${param("UInt32", MAX_VIEW_SPANS + 1)}
      ${calls ? FINAL_POINT_READ_SETTINGS : sql``}`),
  );
  const truncated = spans.length > MAX_VIEW_SPANS;
  if (truncated) spans.length = MAX_VIEW_SPANS;
  return { spans, truncated };
}
