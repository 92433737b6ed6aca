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
    "thresholds): `exact_cache` (identical prompt fingerprints answered more than once; failed calls are not " +
    "repeats), `prefix_cache` (prompts at least the model's minimum cacheable length with no cache reads or " +
    "writes: in start-time order, a call more than the TTL after the one before writes the cache and the others " +
    "read it, for a five-minute or one-hour TTL, whichever saves more, at the calls' own service tier; none for " +
    "OpenAI, which caches long prompts without asking), `routing` (short calls on a model at least twice the " +
    "price of its provider's small model) and `batch` (calls tagged `burnrate.task_type` batch, or untagged " +
    "with no user or session, repriced at the batch tier; web-search fees are not discounted). Routing and batch " +
    "price both sides with the same price book at the same instant. Unpriced calls are counted and never " +
    "valued. Estimates can overlap.",
  role: "read",
  query: insightsQuery,
  response: insightsResponse,
  errors: [503],
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
