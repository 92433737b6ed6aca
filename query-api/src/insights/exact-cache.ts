import { divideHalfEven, formatUsd, parseUsd } from "@burnrate/core";
import { build, param, sql } from "@burnrate/storage";
import { CALL_MODEL } from "../queries/call-filters.js";
import { FINAL_SETTINGS } from "../queries/read-settings.js";
import { EXAMPLE_TRACES } from "../queries/reprice-slice.js";
import type { Insight } from "../schemas/insight.js";
import { type EvidenceRow, type InsightInput, rowEvidence } from "./insight-input.js";

/**
 * Exact-cache candidates: the same prompt fingerprint (same messages, model and tools)
 * answered again and again. A response cache keyed on the fingerprint would answer every
 * repeat, so the estimate is the priced cost of all but one average priced call of each
 * fingerprint; a fingerprint needs two priced calls to have one. Failed calls are left out:
 * a cache holds only answers, and a retry after an error is not a repeat it could answer.
 * The top fingerprints are picked by that saving, not by their cost: ten repeats of a cheap
 * prompt can save more than two of a dear one.
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
      WHERE ${input.where} AND prompt_fingerprint != '' AND status = 'ok'
      GROUP BY fingerprint, provider, model
      HAVING calls >= ${param("UInt32", input.minCalls)} AND calls - unpriced >= 2
      ORDER BY cost - cost / greatest(calls - unpriced, 1) DESC, fingerprint, provider, model
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
      evidence: rowEvidence(row, {
        repeats: Number(row.calls) - 1,
        pricedRepeats: priced - 1,
        features: row.features.join(","),
      }),
    };
  });
}
