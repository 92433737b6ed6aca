import { badInput } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import { costSeries } from "../queries/cost-series.js";
import { costSource } from "../queries/cost-source.js";
import { BUCKETS, MAX_BUCKETS, timeseriesQuery, timeseriesResponse } from "../schemas/costs.js";
import type { DimensionFilters } from "../schemas/filters.js";
import { resolveRange } from "../schemas/time-range.js";

/** GET /v1/costs/timeseries — spend per minute, hour or day, optionally split by dimension. */
export const costsTimeseriesRoute = defineRoute({
  method: "get",
  path: "/v1/costs/timeseries",
  tag: "costs",
  summary: "Bucketed totals, optionally grouped",
  description:
    "Priced cost and calls per bucket (UTC), as one series or one per value of up to two dimensions " +
    "(the `limit` most expensive). Buckets with no calls are left out.",
  role: "read",
  query: timeseriesQuery,
  response: timeseriesResponse,
  async handle({ query, project, context }) {
    const { from: _from, to: _to, bucket, groupBy = [], limit, ...filters } = query;
    const range = resolveRange(query, context.now());
    const buckets = Math.ceil((range.to.getTime() - range.from.getTime()) / BUCKETS[bucket]);
    if (buckets > MAX_BUCKETS) {
      throw badInput(
        "query",
        "bucket",
        `the range holds ${buckets} ${bucket}s; at most ${MAX_BUCKETS} buckets, so use a larger bucket`,
      );
    }
    const source = costSource(project, range, filters);
    const keys = groupBy as (keyof DimensionFilters)[];
    const { series, truncated } = await costSeries(context.db, source, bucket, keys, limit);
    return {
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
      bucket,
      groupBy: keys,
      source: source.kind,
      series,
      truncated,
    };
  },
});
