import { sql } from "@burnrate/storage";

/**
 * Settings for reads of `llm_calls FINAL`. Copies of one span always share its partition
 * (the month of its start time, which a reprice keeps), so FINAL need not merge across
 * partitions, and can work on each partition's parts on its own.
 */
export const FINAL_SETTINGS = sql`SETTINGS do_not_merge_across_partitions_select_final = 1`;

/**
 * Settings for point reads (one trace's calls, spans or incidents): a handful of granules,
 * which one thread reads sooner than several threads that must first be scheduled.
 */
export const POINT_READ_SETTINGS = sql`SETTINGS max_threads = 1`;

/** The same, for a FINAL point read. */
export const FINAL_POINT_READ_SETTINGS = sql`SETTINGS do_not_merge_across_partitions_select_final = 1, max_threads = 1`;
