import { divideHalfEven, formatUsd, parseUsd } from "@burnrate/core";
import { build, param, sql } from "@burnrate/storage";
import { CALL_MODEL } from "../queries/call-filters.js";
import { FINAL_SETTINGS } from "../queries/read-settings.js";
import { EXAMPLE_TRACES } from "../queries/reprice-slice.js";
import type { Insight } from "../schemas/insight.js";
import type { EvidenceRow, InsightInput } from "./insight-input.js";

/**
 * Exact-cache candidates: the same prompt fingerprint (same messages, model and tools) sent
 * again and again. A response cache keyed on the fingerprint would answer every repeat, so
 * the estimate is the priced cost of all but one average call of each fingerprint.
 */
export async function exactCacheInsights(input: InsightInput): Promise<Insight[]> {
  const rows = await input.db.query<
    EvidenceRow & { fingerprint: string; provider: string; model: string; features: string[] }
  >(
    build(sql`SELECT prompt_fingerprint AS fingerprint, provider, toString(${CALL_MODEL}) AS model,
        count() AS calls, uniqExact(trace_id) AS traces, countIf(cost_source = 'unpriced') AS unpriced,
        sum(cost_total) AS cost, ${EXAMPLE_TRACES} AS examples,
        arraySort(groupUniqArrayIf(10)(feature, feature != '')) AS features
      FROM llm_calls FINAL
      WHERE ${input.where} AND prompt_fingerprint != ''
      GROUP BY fingerprint, provider, model
      HAVING calls >= ${param("UInt32", input.minCalls)} AND calls > unpriced
      ORDER BY cost DESC, fingerprint
      LIMIT ${param("UInt32", input.limit)}
      ${FINAL_SETTINGS}`),
  );
  return rows.map((row) => {
    const priced = Number(row.calls) - Number(row.unpriced);
    const cost = parseUsd(row.cost);
    const savings = cost - divideHalfEven(cost, BigInt(priced));
    return {
      kind: "exact_cache" as const,
      title: `${row.calls} calls to ${row.model} sent an identical prompt; cache the response`,
      estimatedSavingsUsd: formatUsd(savings),
      scope: { provider: row.provider, model: row.model, promptFingerprint: row.fingerprint },
      suggestion: { cache: "exact", key: "burnrate.prompt.fingerprint" },
      evidence: {
        calls: Number(row.calls),
        traces: Number(row.traces),
        unpricedCalls: Number(row.unpriced),
        pricedCostUsd: row.cost,
        exampleTraceIds: row.examples,
        details: { repeats: Number(row.calls) - 1, features: row.features.join(",") },
      },
    };
  });
}
