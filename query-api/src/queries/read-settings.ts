import { sql } from "@burnrate/storage";

/**
 * Settings for reads of `llm_calls FINAL`. Copies of one span always share its partition
 * (the month of its start time, which a reprice keeps), so FINAL need not merge across
 * partitions, and can work on each partition's parts on its own.
 */
export const FINAL_SETTINGS = sql`SETTINGS do_not_merge_across_partitions_select_final = 1`;

/**
 * Settings for point reads (one trace's calls, spans or incidents). Planning, not reading, is
 * most of such a read's time, and two things shorten it on chDB at 10M calls (measured by
 * turns on the same data, fresh trace ids each time):
 * - two threads, which read the trace's granule of each part side by side: 8.4 ms for one
 *   trace's calls, against 9.3 ms with one thread;
 * - the legacy analyzer, which plans these plain single-table SELECTs faster: 9.6 ms against
 *   10.9 ms for the calls, and ~0.5 ms less for the spans and incidents.
 * Both analyzers give these queries the same result, and the end-to-end trace, session and
 * incident tests hold with either. `enable_analyzer` exists from ClickHouse 24.8 on; when
 * ClickHouse retires the legacy analyzer, drop it here.
 */
const POINT_READ = sql`max_threads = 2, enable_analyzer = 0`;
export const POINT_READ_SETTINGS = sql`SETTINGS ${POINT_READ}`;

/** The same, for a FINAL point read. */
export const FINAL_POINT_READ_SETTINGS = sql`SETTINGS do_not_merge_across_partitions_select_final = 1, ${POINT_READ}`;
