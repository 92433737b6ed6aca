import { z } from "zod";
import { DIMENSION_NAMES, filterQueryShape } from "./filters.js";
import { callTotals, instant, usd } from "./money.js";
import { checkRange, rangeShape } from "./time-range.js";
import { wholeNumber } from "./whole-number.js";

/** What costs can be grouped by: a call dimension, or its day or hour (UTC). */
export const GROUP_KEYS = [...DIMENSION_NAMES, "day", "hour"] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

/** `groupBy=feature,day`: 1 to `max` distinct keys, comma-separated. */
function groupByList(min: number, max: number, allowed: readonly string[]) {
  return z
    .string()
    .transform((text) => (text === "" ? [] : text.split(",").map((k) => k.trim())))
    .pipe(
      z
        .array(z.enum(allowed as [string, ...string[]]))
        .min(min)
        .max(max)
        .refine((keys) => new Set(keys).size === keys.length, "must not repeat a key"),
    )
    .describe(`comma-separated, ${min} to ${max} of: ${allowed.join(", ")}`);
}

/** The largest number of groups one cost query returns. */
export const MAX_GROUPS = 10_000;

/** GET /v1/costs query. */
export const costsQuery = z
  .strictObject({
    ...rangeShape,
    ...filterQueryShape,
    groupBy: groupByList(1, 3, GROUP_KEYS),
    sort: z.enum(["cost", "key"]).default("cost").describe("by priced cost (highest first) or by group key"),
    limit: wholeNumber(1, MAX_GROUPS, 1_000).describe(`at most ${MAX_GROUPS} groups`),
  })
  .superRefine(checkRange);
export type CostsQuery = z.infer<typeof costsQuery>;

/** A group's key: one entry per `groupBy` key; days are `2026-11-02`, hours ISO 8601. */
export const groupKey = z.record(z.string(), z.string());

/** GET /v1/costs response. */
export const costsResponse = z.object({
  range: z.object({ from: instant, to: instant }),
  groupBy: z.array(z.string()),
  source: z
    .enum(["rollup", "calls"])
    .describe("the per-minute rollup, or the calls themselves when a filter needs them"),
  groups: z.array(callTotals.extend({ key: groupKey })),
  totals: callTotals.describe("over every call that matched, including groups cut by `limit`"),
  truncated: z.boolean().describe("true when more groups matched than `limit`"),
});

/** Time-series bucket sizes and their length in milliseconds. */
export const BUCKETS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
/** The most buckets one series may have. */
export const MAX_BUCKETS = 10_000;
/**
 * The range minute buckets cover when `from` is left out: one day (1,440 buckets). The usual
 * seven days would be 10,080 minutes, over `MAX_BUCKETS`, so the default would be refused.
 */
export const MINUTE_DEFAULT_RANGE_DAYS = 1;

/** GET /v1/costs/timeseries query. */
export const timeseriesQuery = z
  .strictObject({
    ...rangeShape,
    from: rangeShape.from.describe(
      `start of the range, inclusive (default: \`to\` minus 7 days, or minus ${MINUTE_DEFAULT_RANGE_DAYS} day for \`bucket=minute\`)`,
    ),
    ...filterQueryShape,
    bucket: z.enum(["minute", "hour", "day"]).default("hour"),
    groupBy: groupByList(0, 2, DIMENSION_NAMES).optional(),
    limit: wholeNumber(1, 100, 20).describe("at most this many series, by priced cost"),
  })
  .superRefine(checkRange);
export type TimeseriesQuery = z.infer<typeof timeseriesQuery>;

/** One bucket of a series. Buckets with no calls are left out. */
export const point = z.object({
  time: instant.describe("start of the bucket"),
  calls: z.number().int().nonnegative(),
  unpricedCalls: z.number().int().nonnegative(),
  pricedCostUsd: usd,
});

/** GET /v1/costs/timeseries response. */
export const timeseriesResponse = z.object({
  range: z.object({ from: instant, to: instant }),
  bucket: z.enum(["minute", "hour", "day"]),
  groupBy: z.array(z.string()),
  source: z.enum(["rollup", "calls"]),
  series: z.array(z.object({ key: groupKey, pricedCostUsd: usd, points: z.array(point) })),
  truncated: z.boolean().describe("true when more series matched than `limit`"),
});
