import { defineRoute } from "../http/route.js";
import { costGroups, costTotals, sumGroups } from "../queries/cost-groups.js";
import { costSource } from "../queries/cost-source.js";
import { costsQuery, costsResponse, type GroupKey } from "../schemas/costs.js";
import { resolveRange } from "../schemas/time-range.js";

/** GET /v1/costs — spend grouped by up to three keys. */
export const costsRoute = defineRoute({
  method: "get",
  path: "/v1/costs",
  tag: "costs",
  summary: "Totals grouped by 1–3 keys",
  description:
    "Priced cost, calls (priced and unpriced) and tokens grouped by 1–3 of service, feature, user, tenant, agent, " +
    "provider, model, operation, day and hour (UTC). Whole-minute ranges without trace filters read the " +
    "per-minute rollup, unless a reprice has not yet rebuilt one of its minutes; otherwise the calls are " +
    "read, so totals are exact either way. `source` says which.",
  role: "read",
  query: costsQuery,
  response: costsResponse,
  errors: [503],
  async handle({ query, project, context }) {
    const { from: _from, to: _to, groupBy, sort, limit, ...filters } = query;
    const range = resolveRange(query, context.now());
    const source = await costSource(context.db, project, range, filters);
    const groups = await costGroups(context.db, source, groupBy as GroupKey[], sort, limit + 1);
    const truncated = groups.length > limit;
    const kept = groups.slice(0, limit);
    // Only a cut list needs a second read of the range for its totals.
    const totals = truncated ? await costTotals(context.db, source) : sumGroups(kept);
    return {
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
      groupBy,
      source: source.kind,
      groups: kept,
      totals,
      truncated,
    };
  },
});
