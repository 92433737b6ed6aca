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
const MAX_SPANS = 20_000;

/**
 * The spans of one trace. `spans` is ordered by service and span name, not trace, so the
 * lookup relies on its TraceId bloom filter; when the trace's calls say when it ran, the
 * time bounds also prune its day partitions.
 */
export function traceSpans(
  db: ClickHouse,
  project: string,
  traceId: string,
  window?: { from: string; to: string },
): Promise<SpanRow[]> {
  const within = window
    ? sql`AND Timestamp >= toDateTime64(${param("String", window.from)}, 9, 'UTC') - INTERVAL 1 HOUR
        AND Timestamp <= toDateTime64(${param("String", window.to)}, 9, 'UTC') + INTERVAL 1 HOUR`
    : sql``;
  return db.query<SpanRow>(
    build(sql`SELECT SpanId AS span_id, ParentSpanId AS parent_span_id, SpanName AS name,
        SpanKind AS kind, ServiceName AS service, toString(Timestamp) AS start,
        toString(Timestamp + toIntervalNanosecond(Duration)) AS end,
        Duration AS duration_ns, StatusCode AS status
      FROM spans FINAL
      WHERE ProjectId = ${param("String", project)} AND TraceId = ${param("String", traceId)} ${within}
      ORDER BY Timestamp, SpanId
      LIMIT ${param("UInt32", MAX_SPANS)}
      ${window ? FINAL_POINT_READ_SETTINGS : sql``}`),
  );
}
