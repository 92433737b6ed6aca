import { formatUsd } from "@burnrate/core";
import { badInput } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import type { Target } from "../pricing/counterfactual.js";
import { callConditions } from "../queries/call-filters.js";
import { type RepricedGroup, repriceSlice } from "../queries/reprice-slice.js";
import { resolveRange } from "../schemas/time-range.js";
import { whatifInput, whatifResponse } from "../schemas/whatif.js";

/** POST /v1/whatif — what a slice of usage would have cost on another model or tier. */
export const whatifRoute = defineRoute({
  method: "post",
  path: "/v1/whatif",
  tag: "insights",
  summary: "Reprice a slice of usage under another model or tier",
  description:
    "Takes the stored token counts of the calls matching the filters and prices them under the target model " +
    "and/or service tier with the prices in force at the end of the range, or now for a range that reaches the present (`pricesAt`; long-context tiers and service-tier rules included). Calls " +
    "unpriced as stored are reported apart, and the comparison covers only calls priced both ways.",
  role: "read",
  body: whatifInput,
  response: whatifResponse,
  errors: [503],
  async handle({ body, project, context }) {
    const { from: _from, to: _to, target, ...filters } = body;
    const range = resolveRange(body, context.now());
    const at = new Date(Math.min(range.to.getTime(), context.now().getTime()));
    if (target.model !== undefined) {
      const provider = target.provider ?? "";
      const known = context.priceBook.lookup({ provider, model: target.model, at });
      if (!known)
        throw badInput(
          "body",
          "target.model",
          `has no price${provider ? ` at ${provider}` : ""}; see GET /v1/prices`,
        );
    }
    const targetFor = (group: { provider: string; model: string; serviceTier: string }): Target => ({
      provider: target.provider ?? (target.model !== undefined ? "" : group.provider),
      model: target.model ?? group.model,
      serviceTier: target.serviceTier ?? group.serviceTier,
    });
    const groups = await repriceSlice(
      context.db,
      context.priceBook,
      at,
      callConditions(project, range, filters),
      [],
      targetFor,
    );
    return {
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
      pricesAt: at.toISOString(),
      ...summarise(groups),
      groups: groups.map((g) => ({
        provider: g.provider,
        model: g.model,
        serviceTier: g.serviceTier,
        target: g.target!,
        targetPriced: g.counterfactualUsd !== undefined,
        calls: g.calls,
        unpricedCalls: g.unpricedCalls,
        pricedCostUsd: formatUsd(g.currentUsd),
        counterfactualCostUsd: g.counterfactualUsd === undefined ? null : formatUsd(g.counterfactualUsd),
      })),
    };
  },
});

function summarise(groups: readonly RepricedGroup[]) {
  let calls = 0;
  let unpriced = 0;
  let current = 0n;
  let counterfactual = 0n;
  let repriced = 0;
  const comparison = { calls: 0, current: 0n, counterfactual: 0n };
  for (const g of groups) {
    calls += g.calls;
    unpriced += g.unpricedCalls;
    current += g.currentUsd;
    if (g.counterfactualUsd !== undefined) {
      counterfactual += g.counterfactualUsd;
      repriced += g.calls;
    }
    comparison.calls += g.comparable.calls;
    comparison.current += g.comparable.currentUsd;
    comparison.counterfactual += g.comparable.counterfactualUsd;
  }
  return {
    slice: {
      calls,
      pricedCalls: calls - unpriced,
      unpricedCalls: unpriced,
      pricedCostUsd: formatUsd(current),
    },
    counterfactual: {
      costUsd: formatUsd(counterfactual),
      pricedCalls: repriced,
      unpricedCalls: calls - repriced,
    },
    comparison: {
      calls: comparison.calls,
      currentUsd: formatUsd(comparison.current),
      counterfactualUsd: formatUsd(comparison.counterfactual),
      deltaUsd: formatUsd(comparison.counterfactual - comparison.current),
    },
  };
}
