import { ATTR_BURNRATE_TASK_TYPE, formatUsd } from "@burnrate/core";
import { build, type Fragment, param, sql } from "@burnrate/storage";
import { FINAL_SETTINGS } from "../queries/read-settings.js";
import { EXAMPLE_TRACES, type RepricedGroup, repriceSlice } from "../queries/reprice-slice.js";
import type { Insight } from "../schemas/insight.js";
import { sqlTime } from "../schemas/time-range.js";
import { type EvidenceRow, type InsightInput, rowEvidence } from "./insight-input.js";
import { bySavings } from "./prefix-cache.js";

/** Providers with a batch API at half price, as the price book's service tiers encode them. */
export const BATCH_PROVIDERS = ["openai", "anthropic"] as const;
/** `burnrate.task_type` values that say a call is not interactive. */
export const BATCH_TASK_TYPES = ["batch", "offline", "background", "backfill", "eval"] as const;

/**
 * Batch candidates: calls nobody is waiting on. A call counts when its span's
 * `burnrate.task_type` says batch (tagged), or when it carries no task type, no user and no
 * session (inferred: no person attributed). A call whose task type is set to anything else,
 * `interactive` for one, is left out whatever its attribution.
 *
 * The estimate reprices the calls at the batch tier with the price book, against the same
 * calls on their own tier at the same prices: the batch discount applies to tokens only, so
 * web-search fees stay whole, and a priority-tier call drops to the batch price, not to half
 * of the priority one. The details split it between tagged and inferred calls.
 */
export async function batchInsights(input: InsightInput): Promise<Insight[]> {
  const tags = taskTypes(input);
  const unattributed = sql`(user_id = '' AND session_id = '')`;
  const where = sql`${input.where}
    AND provider IN ${param("Array(String)", BATCH_PROVIDERS)}
    AND lower(service_tier) NOT IN ('batch', 'flex')
    AND (${tags.batch} OR (${unattributed} AND NOT ${tags.other}))`;
  const found = await input.db.query<
    EvidenceRow & { service: string; feature: string; provider: string; unattributed: number; tagged: number }
  >(
    build(sql`SELECT service, feature, provider,
        count() AS calls, uniqExact(trace_id) AS traces, countIf(cost_source = 'unpriced') AS unpriced,
        sum(cost_total) AS cost, ${EXAMPLE_TRACES} AS examples,
        countIf(${unattributed}) AS unattributed, countIf(${tags.batch}) AS tagged
      FROM llm_calls FINAL
      WHERE ${where}
      GROUP BY service, feature, provider
      HAVING calls >= ${param("UInt32", input.minCalls)} AND calls > unpriced
      ${FINAL_SETTINGS}`),
  );
  if (found.length === 0) return [];
  const repriced = await repriceSlice(
    input.db,
    input.book,
    input.at,
    where,
    [
      { name: "service", expression: sql`service` },
      { name: "feature", expression: sql`feature` },
      { name: "tagged", expression: tags.batch },
    ],
    (group) => ({ provider: group.provider, model: group.model, serviceTier: "batch" }),
    { sameBook: true },
  );
  const byScope = new Map<string, RepricedGroup[]>();
  for (const g of repriced) {
    const scope = scopeKey(g.keys.service ?? "", g.keys.feature ?? "", g.provider);
    const list = byScope.get(scope);
    if (list) list.push(g);
    else byScope.set(scope, [g]);
  }
  const insights: Insight[] = [];
  for (const row of found) {
    const money = savingsOf(byScope.get(scopeKey(row.service, row.feature, row.provider)) ?? []);
    const savings = money.tagged + money.inferred;
    if (savings <= 0n) continue;
    const tagged = Number(row.tagged);
    insights.push({
      kind: "batch",
      title: `${row.feature || "(no feature)"} in ${row.service || "(no service)"} makes ${row.calls} ${row.provider} calls nobody waits on; use the batch API`,
      estimatedSavingsUsd: formatUsd(savings),
      scope: { service: row.service, feature: row.feature, provider: row.provider },
      suggestion: { serviceTier: "batch", discount: "50%" },
      evidence: rowEvidence(row, {
        // Every call without a user or session, tagged or not; the tagged calls that have one.
        callsWithoutUserOrSession: Number(row.unattributed),
        attributedCallsTaggedBatch: Number(row.calls) - Number(row.unattributed),
        inferredCalls: Number(row.calls) - tagged,
        taggedCalls: tagged,
        inferredSavingsUsd: formatUsd(money.inferred),
        taggedSavingsUsd: formatUsd(money.tagged),
        currentCostUsd: formatUsd(money.current),
        counterfactualCostUsd: formatUsd(money.counterfactual),
        priceVersion: money.priceVersion,
      }),
    });
  }
  return insights.sort(bySavings).slice(0, input.limit);
}

/**
 * Which calls' spans carry a `burnrate.task_type` saying batch, and which carry another one.
 * `mapContains` lets the bloom filter on the attribute keys skip spans without the tag.
 */
function taskTypes(input: InsightInput): { batch: Fragment; other: Fragment } {
  const key = param("String", ATTR_BURNRATE_TASK_TYPE);
  const value = sql`lower(trimBoth(SpanAttributes[${key}]))`;
  const spansWith = (condition: Fragment) => sql`(trace_id, span_id) IN (
    SELECT TraceId, SpanId FROM spans
    WHERE ProjectId = ${param("String", input.project)}
      AND Timestamp >= toDateTime64(${param("String", sqlTime(input.range.from))}, 9, 'UTC')
      AND Timestamp < toDateTime64(${param("String", sqlTime(input.range.to))}, 9, 'UTC')
      AND mapContains(SpanAttributes, ${key}) AND ${condition})`;
  const batchTypes = param("Array(String)", BATCH_TASK_TYPES);
  return {
    batch: spansWith(sql`${value} IN ${batchTypes}`),
    other: spansWith(sql`${value} != '' AND ${value} NOT IN ${batchTypes}`),
  };
}

function scopeKey(service: string, feature: string, provider: string): string {
  return JSON.stringify([service, feature, provider]);
}

/** The saving of a scope's groups (one per model, tier and tagging), tagged and inferred apart. */
function savingsOf(groups: readonly RepricedGroup[]) {
  const sum = { tagged: 0n, inferred: 0n, current: 0n, counterfactual: 0n, priceVersion: "" };
  for (const g of groups) {
    const { currentUsd, counterfactualUsd } = g.sameBook;
    const saving = currentUsd - counterfactualUsd;
    if (g.keys.tagged === "1") sum.tagged += saving;
    else sum.inferred += saving;
    sum.current += currentUsd;
    sum.counterfactual += counterfactualUsd;
    sum.priceVersion ||= g.priceVersion;
  }
  return sum;
}
