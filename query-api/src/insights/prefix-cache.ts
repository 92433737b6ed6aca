import { divideHalfEven, formatUsd, parseUsd } from "@burnrate/core";
import { build, type Fragment, param, sql } from "@burnrate/storage";
import { bucketRates, priceSums, type Target, tierStarts } from "../pricing/counterfactual.js";
import { CALL_MODEL } from "../queries/call-filters.js";
import { FINAL_SETTINGS } from "../queries/read-settings.js";
import { EXAMPLE_TRACES } from "../queries/reprice-slice.js";
import type { Insight } from "../schemas/insight.js";
import { minCacheablePrompt, SMALLEST_CACHEABLE_PROMPT } from "./cache-minimums.js";
import { type EvidenceRow, type InsightInput, rowEvidence } from "./insight-input.js";

/**
 * Providers that cache every long-enough prompt prefix by themselves, with nothing to switch
 * on: OpenAI caches prompts of 1,024 tokens or more, and clears a prefix after 5-10 minutes
 * unused (https://openai.com/index/api-prompt-caching/). Calls there with no cache reads
 * share no prefix, or not often enough, and "cache the prefix" is no advice with a dollar
 * figure, so they get no prefix-cache insight.
 */
export const AUTOMATIC_CACHE_PROVIDERS = ["openai"] as const;

/** Cache lifetimes one can ask for: five minutes, or an hour at the one-hour write price. */
const TTLS = { "5m": 300_000_000_000, "1h": 3_600_000_000_000 } as const; // in nanoseconds
type Ttl = keyof typeof TTLS;

/** A model and tier of the slice, with what the SQL needs to rank its groups. */
interface ModelTerms {
  target: Target;
  minPrompt: number;
  /** Whether the model prices one-hour cache writes apart (Anthropic's), so that TTL is an option. */
  oneHour: boolean;
  /** Pico-dollars per million prefix tokens: saved by a read, added by a 5m and by a 1h write. */
  readSaves: bigint;
  writeAdds: bigint;
  writeAdds1h: bigint;
}

interface GroupRow extends EvidenceRow {
  feature: string;
  provider: string;
  model: string;
  service_tier: string;
  m: number;
  min_prompt: number;
  prompt_tokens: number;
  writes_5m: number;
  reads_5m: number;
  writes_1h: number;
  reads_1h: number;
}

/**
 * Prefix-cache candidates: a feature sending prompts of at least its model's minimum
 * cacheable length (see `minCacheablePrompt`) to one model and tier, with no cache reads or
 * writes at all. Prompts are never stored, so the shared prefix is estimated as the group's
 * smallest prompt (a system prompt and tools cannot be longer than the shortest prompt that
 * carries them).
 *
 * A cache lives a TTL past its last use. The group's calls are taken in start-time order: the
 * first call, and every call more than a TTL after the one before it, would write the prefix
 * to the cache; the others would read it. The estimate is the prefix sent as input on each
 * of those calls less its price as cache writes and reads, at the group's own service tier,
 * for a five-minute TTL and (where the model prices them) a one-hour one; the larger saving
 * is reported, and a group saving nothing is skipped.
 */
export async function prefixCacheInsights(input: InsightInput): Promise<Insight[]> {
  const models = await modelTerms(input);
  if (models.length === 0) return [];
  const rows = await input.db.query<GroupRow>(build(groupQuery(input, models)));
  const insights: Insight[] = [];
  for (const row of rows) {
    const terms = models[Number(row.m) - 1]!;
    const prefix = Number(row.min_prompt);
    const rates = bucketRates(input.book, terms.target, input.at, 0, prefix);
    if (!rates) continue;
    const saving = (ttl: Ttl) => {
      const writes = Number(row[`writes_${ttl}`]) * prefix;
      const reads = Number(row[`reads_${ttl}`]) * prefix;
      const asInput = priceSums(rates, { uncached: writes + reads, output: 0, cacheRead: 0, cacheWrite: 0 });
      const cached = priceSums(rates, {
        uncached: 0,
        output: 0,
        cacheRead: reads,
        cacheWrite: writes,
        cacheWrite1h: ttl === "1h" ? writes : 0,
      });
      return asInput - cached;
    };
    const fiveMinutes = saving("5m");
    const oneHour = terms.oneHour ? saving("1h") : undefined;
    const ttl: Ttl = oneHour !== undefined && oneHour > fiveMinutes ? "1h" : "5m";
    const savings = ttl === "1h" ? oneHour! : fiveMinutes;
    if (savings <= 0n) continue;
    insights.push({
      kind: "prefix_cache",
      title:
        `${row.feature || "(no feature)"} sends ${row.calls} large prompts to ${row.model} with no cache reads; ` +
        `cache the stable prefix${ttl === "1h" ? " with a 1-hour TTL" : ""}`,
      estimatedSavingsUsd: formatUsd(savings),
      scope: {
        feature: row.feature,
        provider: row.provider,
        model: row.model,
        serviceTier: row.service_tier,
      },
      suggestion: { cache: "prefix", prefixTokens: String(prefix), ttl },
      evidence: rowEvidence(row, {
        assumedPrefixTokens: prefix,
        averagePromptTokens: Math.round(Number(row.prompt_tokens) / Number(row.calls)),
        cacheReadTokens: 0,
        minPromptTokens: terms.minPrompt,
        cacheWriteCalls: Number(row[`writes_${ttl}`]),
        cacheReadCalls: Number(row[`reads_${ttl}`]),
      }),
    });
  }
  return insights.sort(bySavings).slice(0, input.limit);
}

/** The priced models and tiers of the slice that could hold a candidate, with their terms. */
async function modelTerms(input: InsightInput): Promise<ModelTerms[]> {
  const found = await input.db.query<{ provider: string; model: string; service_tier: string }>(
    build(sql`SELECT provider, toString(${CALL_MODEL}) AS model, service_tier
      FROM llm_calls FINAL
      WHERE ${input.where} AND input_tokens >= ${param("UInt32", SMALLEST_CACHEABLE_PROMPT)}
        AND provider NOT IN ${param("Array(String)", AUTOMATIC_CACHE_PROVIDERS)}
      GROUP BY provider, model, service_tier
      HAVING count() >= ${param("UInt32", input.minCalls)}
      ORDER BY provider, model, service_tier
      ${FINAL_SETTINGS}`),
  );
  const terms: ModelTerms[] = [];
  for (const row of found) {
    const target = { provider: row.provider, model: row.model, serviceTier: row.service_tier };
    const starts = tierStarts(input.book, target, input.at);
    // Rates below the first long-context tier: only for ranking, which the exact figure follows.
    const rates = starts && bucketRates(input.book, target, input.at, 0, starts[0]);
    if (!rates) continue;
    const perMillion = (usd: bigint) => divideHalfEven(usd * 1_000_000n, BigInt(rates.tokens));
    const prices = input.book.lookup({ provider: row.provider, model: row.model, at: input.at });
    terms.push({
      target,
      minPrompt: minCacheablePrompt(row.model),
      oneHour: prices?.cacheWrite1hPerMillion !== undefined,
      readSaves: perMillion(rates.input - rates.cacheRead),
      writeAdds: perMillion(rates.cacheWrite - rates.input),
      writeAdds1h: perMillion(rates.cacheWrite1h - rates.input),
    });
  }
  return terms;
}

/**
 * The candidate groups, each call's gap to the one before it in its group computed by a
 * window over start times. Groups are ranked, before `limit * 4` of them are kept, by their
 * saving in pico-dollars per million (at each model's base rates, so exact below its first
 * long-context tier), not by their cost: calls hours apart cost much and save nothing.
 */
function groupQuery(input: InsightInput, models: readonly ModelTerms[]): Fragment {
  const perModel = (type: string, values: unknown[]) => sql`arrayElement(${param(type, values)}, m)`;
  // Int128: a prefix of a million tokens read a billion times at $100/M would overflow Int64.
  const rate = (pick: (t: ModelTerms) => bigint) =>
    sql`toInt128(${perModel(
      "Array(String)",
      models.map((t) => String(pick(t))),
    )})`;
  const saving = (writes: Fragment, reads: Fragment, writeAdds: Fragment) =>
    sql`toInt128(min_prompt) * (toInt128(${reads}) * ${rate((t) => t.readSaves)} - toInt128(${writes}) * ${writeAdds})`;
  const fiveMinutes = saving(
    sql`writes_5m`,
    sql`reads_5m`,
    rate((t) => t.writeAdds),
  );
  const oneHour = saving(
    sql`writes_1h`,
    sql`reads_1h`,
    rate((t) => t.writeAdds1h),
  );
  const hasOneHour = perModel(
    "Array(UInt8)",
    models.map((t) => (t.oneHour ? 1 : 0)),
  );
  const modelKeys = sql`arrayZip(${param(
    "Array(String)",
    models.map((t) => t.target.provider),
  )},
    ${param(
      "Array(String)",
      models.map((t) => t.target.model),
    )},
    ${param(
      "Array(String)",
      models.map((t) => t.target.serviceTier),
    )})`;
  const ttl5m = param("Int64", TTLS["5m"]);
  const ttl1h = param("Int64", TTLS["1h"]);
  return sql`SELECT feature, provider, model, service_tier, m,
      count() AS calls, uniqExact(trace_id) AS traces, countIf(is_unpriced) AS unpriced,
      sum(cost_total) AS cost, ${EXAMPLE_TRACES} AS examples,
      min(input_tokens) AS min_prompt, sum(input_tokens) AS prompt_tokens,
      countIf(NOT is_unpriced AND gap > ${ttl5m}) AS writes_5m, countIf(NOT is_unpriced AND gap <= ${ttl5m}) AS reads_5m,
      countIf(NOT is_unpriced AND gap > ${ttl1h}) AS writes_1h, countIf(NOT is_unpriced AND gap <= ${ttl1h}) AS reads_1h,
      greatest(${fiveMinutes}, if(${hasOneHour} = 1, ${oneHour}, ${fiveMinutes})) AS estimate
    FROM (
      SELECT feature, provider, model, service_tier, m, trace_id, cost_total, is_unpriced, input_tokens,
        cache_read_tokens, cache_write_tokens,
        ns - lagInFrame(ns, 1, toInt64(0)) OVER (PARTITION BY feature, provider, model, service_tier
          ORDER BY ns, span_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS gap
      FROM (
        SELECT feature, provider, toString(${CALL_MODEL}) AS model, service_tier, trace_id, span_id,
          cost_total, cost_source = 'unpriced' AS is_unpriced, input_tokens, cache_read_tokens, cache_write_tokens,
          toUnixTimestamp64Nano(start_time) AS ns,
          indexOf(${modelKeys}, (toString(provider), model, toString(service_tier))) AS m
        FROM llm_calls FINAL
        WHERE ${input.where}
      )
      WHERE m > 0 AND input_tokens >= ${perModel(
        "Array(UInt32)",
        models.map((t) => t.minPrompt),
      )}
    )
    GROUP BY feature, provider, model, service_tier, m
    HAVING calls >= ${param("UInt32", input.minCalls)} AND calls > unpriced
      AND sum(cache_read_tokens) = 0 AND sum(cache_write_tokens) = 0 AND estimate > 0
    ORDER BY estimate DESC, feature, provider, model, service_tier
    LIMIT ${param("UInt32", input.limit * 4)}
    ${FINAL_SETTINGS}`;
}

/** Highest saving first; ties by title so the order is stable. */
export function bySavings(a: Insight, b: Insight): number {
  const d = parseUsd(b.estimatedSavingsUsd) - parseUsd(a.estimatedSavingsUsd);
  return d > 0n ? 1 : d < 0n ? -1 : a.title < b.title ? -1 : 1;
}
