import { badInput } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import { chooseSeries, countPoints, MAX_POINTS, seriesPoints } from "../queries/cost-series.js";
import { costSource } from "../queries/cost-source.js";
import {
  BUCKETS,
  MAX_BUCKETS,
  MINUTE_DEFAULT_RANGE_DAYS,
  timeseriesQuery,
  timeseriesResponse,
} from "../schemas/costs.js";
import type { DimensionFilters } from "../schemas/filters.js";
import { DEFAULT_RANGE_DAYS, resolveRange } from "../schemas/time-range.js";

/** GET /v1/costs/timeseries — spend per minute, hour or day, optionally split by dimension. */
export const costsTimeseriesRoute = defineRoute({
  method: "get",
  path: "/v1/costs/timeseries",
  tag: "costs",
  summary: "Bucketed totals, optionally grouped",
  description:
    "Priced cost and calls per bucket (UTC), as one series or one per value of up to two dimensions " +
    "(the `limit` most expensive over the range; `truncated` when more exist). Buckets with no calls are " +
    `left out. Without \`from\` the range is the ${DEFAULT_RANGE_DAYS} days before \`to\`, or the last day for minute ` +
    `buckets. A range holds at most ${MAX_BUCKETS} buckets and an answer at most ${MAX_POINTS} points; a request ` +
    "for more is refused with 400.",
  role: "read",
  query: timeseriesQuery,
  response: timeseriesResponse,
  errors: [503],
  async handle({ query, project, context }) {
    const { from: _from, to: _to, bucket, groupBy = [], limit, ...filters } = query;
    const defaultDays = bucket === "minute" ? MINUTE_DEFAULT_RANGE_DAYS : DEFAULT_RANGE_DAYS;
    const range = resolveRange(query, context.now(), defaultDays);
    const buckets = Math.ceil((range.to.getTime() - range.from.getTime()) / BUCKETS[bucket]);
    if (buckets > MAX_BUCKETS) {
      throw badInput(
        "query",
        "bucket",
        `the range holds ${buckets} ${bucket}s; at most ${MAX_BUCKETS} buckets, so use a larger bucket or a narrower range`,
      );
    }
    const source = await costSource(context.db, project, range, filters);
    const keys = groupBy as (keyof DimensionFilters)[];
    const choice = await chooseSeries(context.db, source, keys, limit);
    // Counting costs a second pass over the chosen series, so it runs only when they could
    // hold more points than one answer may (a range off the bucket grid touches one bucket
    // more): never a silently partial answer.
    if (choice.chosen.length * (buckets + 1) > MAX_POINTS) {
      const points = await countPoints(context.db, source, bucket, keys, choice);
      if (points > MAX_POINTS) {
        throw badInput(
          "query",
          "bucket",
          `the request asks for ${points} points (${choice.chosen.length} series over ${buckets} ${bucket}s); ` +
            `at most ${MAX_POINTS} in one answer, so use a larger bucket, a narrower range or a lower limit`,
        );
      }
    }
    const series = await seriesPoints(context.db, source, bucket, keys, choice);
    return {
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
      bucket,
      groupBy: keys,
      source: source.kind,
      series,
      truncated: choice.truncated,
    };
  },
});
