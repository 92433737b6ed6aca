import { defineRoute } from "../http/route.js";
import { batchInsights } from "../insights/batch.js";
import { exactCacheInsights } from "../insights/exact-cache.js";
import type { InsightInput } from "../insights/insight-input.js";
import { bySavings, prefixCacheInsights } from "../insights/prefix-cache.js";
import { routingInsights } from "../insights/routing.js";
import { callConditions } from "../queries/call-filters.js";
import { insightsQuery, insightsResponse } from "../schemas/insight.js";
import { resolveRange } from "../schemas/time-range.js";

/** GET /v1/insights — where money could be saved, with estimates and evidence. */
export const insightsRoute = defineRoute({
  method: "get",
  path: "/v1/insights",
  tag: "insights",
  summary: "Savings opportunities over a time range",
  description:
    "Four kinds, each with a dollar estimate over the range and its evidence (counts, example trace ids, " +
    "thresholds): `exact_cache` (identical prompt fingerprints repeated), `prefix_cache` (large prompts with no " +
    "cache reads), `routing` (short calls on a model at least twice the price of its provider's small model, " +
    "with the counterfactual cost) and `batch` (calls with no user or session, or tagged batch, at 50%). " +
    "Unpriced calls are counted and never valued. Estimates can overlap.",
  role: "read",
  query: insightsQuery,
  response: insightsResponse,
  async handle({ query, project, context }) {
    const { from: _from, to: _to, limit, minCalls, ...filters } = query;
    const range = resolveRange(query, context.now());
    const input: InsightInput = {
      db: context.db,
      book: context.priceBook,
      project,
      range,
      at: new Date(Math.min(range.to.getTime(), context.now().getTime())),
      where: callConditions(project, range, filters),
      limit,
      minCalls,
      routingTargets: context.routingTargets,
    };
    // One at a time: embedded chDB runs one query at a time anyway, and a server is spared a burst.
    const found = [
      ...(await exactCacheInsights(input)),
      ...(await prefixCacheInsights(input)),
      ...(await routingInsights(input)),
      ...(await batchInsights(input)),
    ];
    return {
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
      insights: found.sort(bySavings),
    };
  },
});
