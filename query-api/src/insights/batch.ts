import { ATTR_BURNRATE_TASK_TYPE, divideHalfEven, formatUsd, parseUsd } from "@burnrate/core";
import { build, param, sql } from "@burnrate/storage";
import { FINAL_SETTINGS } from "../queries/read-settings.js";
import { EXAMPLE_TRACES } from "../queries/reprice-slice.js";
import type { Insight } from "../schemas/insight.js";
import { sqlTime } from "../schemas/time-range.js";
import type { EvidenceRow, InsightInput } from "./insight-input.js";

/** Providers with a batch API at half price, as the price book's service tiers encode them. */
export const BATCH_PROVIDERS = ["openai", "anthropic"] as const;
/** `burnrate.task_type` values that say a call is not interactive. */
export const BATCH_TASK_TYPES = ["batch", "offline", "background", "backfill", "eval"] as const;

/**
 * Batch candidates: calls nobody is waiting on. A call counts when it carries no user and
 * no session (no person attributed), or when its span's `burnrate.task_type` says batch.
 * Sent through the provider's batch API it would cost 50%, which is the estimate.
 */
export async function batchInsights(input: InsightInput): Promise<Insight[]> {
  const taskType = param("String", ATTR_BURNRATE_TASK_TYPE);
  const rows = await input.db.query<
    EvidenceRow & { service: string; feature: string; provider: string; unattributed: number; tagged: number }
  >(
    build(sql`SELECT service, feature, provider,
        count() AS calls, uniqExact(trace_id) AS traces, countIf(cost_source = 'unpriced') AS unpriced,
        sum(cost_total) AS cost, ${EXAMPLE_TRACES} AS examples,
        countIf(user_id = '' AND session_id = '') AS unattributed,
        calls - unattributed AS tagged
      FROM llm_calls FINAL
      WHERE ${input.where}
        AND provider IN ${param("Array(String)", BATCH_PROVIDERS)}
        AND lower(service_tier) NOT IN ('batch', 'flex')
        AND ((user_id = '' AND session_id = '') OR (trace_id, span_id) IN (
          SELECT TraceId, SpanId FROM spans
          WHERE ProjectId = ${param("String", input.project)}
            AND Timestamp >= toDateTime64(${param("String", sqlTime(input.range.from))}, 9, 'UTC')
            AND Timestamp < toDateTime64(${param("String", sqlTime(input.range.to))}, 9, 'UTC')
            AND lower(SpanAttributes[${taskType}]) IN ${param("Array(String)", BATCH_TASK_TYPES)}))
      GROUP BY service, feature, provider
      HAVING calls >= ${param("UInt32", input.minCalls)} AND calls > unpriced
      ORDER BY cost DESC, service, feature, provider
      LIMIT ${param("UInt32", input.limit)}
      ${FINAL_SETTINGS}`),
  );
  return rows.map((row) => ({
    kind: "batch" as const,
    title: `${row.feature || "(no feature)"} in ${row.service || "(no service)"} makes ${row.calls} ${row.provider} calls nobody waits on; use the batch API`,
    estimatedSavingsUsd: formatUsd(divideHalfEven(parseUsd(row.cost), 2n)),
    scope: { service: row.service, feature: row.feature, provider: row.provider },
    suggestion: { serviceTier: "batch", discount: "50%" },
    evidence: {
      calls: Number(row.calls),
      traces: Number(row.traces),
      unpricedCalls: Number(row.unpriced),
      pricedCostUsd: row.cost,
      exampleTraceIds: row.examples,
      details: {
        callsWithoutUserOrSession: Number(row.unattributed),
        attributedCallsTaggedBatch: Number(row.tagged),
      },
    },
  }));
}
