import { type PriceBook, parseUsd } from "@burnrate/core";
import { build, type ClickHouse, type Fragment, ident, join, param, sql } from "@burnrate/storage";
import {
  type BucketRates,
  bucketRates,
  priceSums,
  type Target,
  type TokenSums,
  tierStarts,
} from "../pricing/counterfactual.js";
import { CALL_MODEL } from "./call-filters.js";
import { FINAL_SETTINGS } from "./read-settings.js";

/** A group of a slice as stored: extra keys, plus the provider, model and tier its calls ran on. */
export interface SliceGroupKey {
  keys: Record<string, string>;
  provider: string;
  model: string;
  serviceTier: string;
}

/** A group repriced under its target. Money in pico-dollars. */
export interface RepricedGroup extends SliceGroupKey {
  target: Target | undefined;
  calls: number;
  unpricedCalls: number;
  currentUsd: bigint;
  /** The whole group under the target; undefined when the target has no price. */
  counterfactualUsd: bigint | undefined;
  /** Calls priced both now and under the target: the only fair comparison. */
  comparable: { calls: number; currentUsd: bigint; counterfactualUsd: bigint };
  /**
   * With `sameBook`: the calls priced as stored, under their own model and tier, and under
   * the target, both of the last with the same price book at the same instant. `currentUsd`
   * is then what they cost at those prices, so the comparison measures the change of model
   * or tier alone, not a provider-reported figure or a price that has changed since the
   * calls were stored. Zero without `sameBook`.
   */
  sameBook: { calls: number; currentUsd: bigint; counterfactualUsd: bigint };
  priceVersion: string;
  /** Distinct traces of the group, and up to three of them (smallest ids first) as examples. */
  traces: number;
  exampleTraceIds: string[];
}

/** Extra columns a slice is grouped by, each a name and a SQL expression. */
export type SliceKeys = readonly { name: string; expression: Fragment }[];

export interface RepriceOptions {
  /** Also price every group under its own provider, model and tier: see `RepricedGroup.sameBook`. */
  sameBook?: boolean;
}

/**
 * Up to three example trace ids of a group: the smallest ids, so the answer is the same on
 * every run and the memory used stays bounded however large the group.
 */
export const EXAMPLE_TRACES = sql`arraySlice(arrayDistinct(groupArraySorted(64)(trace_id)), 1, 3)`;

const PROMPT = sql`greatest(input_tokens, cache_read_tokens + cache_write_tokens)`;

// A call's tokens as `priceTokens` bills them, in Int64 so that no difference wraps around.
const UNCACHED = sql`greatest(toInt64(input_tokens) - cache_read_tokens - cache_write_tokens, 0)`;
const ONE_HOUR = sql`toInt64(least(cache_write_1h_tokens, cache_write_tokens))`;
const FIVE_MINUTE = sql`(toInt64(cache_write_tokens) - ${ONE_HOUR})`;
const AUDIO = sql`least(toInt64(audio_input_tokens), toInt64(${PROMPT}))`;
/**
 * Where a call's audio prompt tokens sat, as `priceTokens` places them: they fill the uncached
 * prompt first, then the cache reads, the five-minute writes and the one-hour writes, in turn.
 */
const AUDIO_IN = {
  uncached: sql`least(${AUDIO}, ${UNCACHED})`,
  cacheRead: sql`least(greatest(${AUDIO} - ${UNCACHED}, 0), cache_read_tokens)`,
  cacheWrite: sql`least(greatest(${AUDIO} - ${UNCACHED} - cache_read_tokens, 0), ${FIVE_MINUTE})`,
  cacheWrite1h: sql`least(greatest(${AUDIO} - ${UNCACHED} - cache_read_tokens - ${FIVE_MINUTE}, 0), ${ONE_HOUR})`,
};

/**
 * Reprices the calls matching `where` (over `llm_calls FINAL`) under the target each group
 * maps to. Pass one finds the groups, so the long-context tier boundaries of every target
 * are known; pass two sums tokens per group and prompt-size bucket between those
 * boundaries, so each bucket is priced at a single tier of its target.
 */
export async function repriceSlice(
  db: ClickHouse,
  book: PriceBook,
  at: Date,
  where: Fragment,
  extraKeys: SliceKeys,
  targetFor: (group: SliceGroupKey) => Target | undefined,
  options: RepriceOptions = {},
): Promise<RepricedGroup[]> {
  const keyColumns = [
    ...extraKeys.map((k, i) => sql`toString(${k.expression}) AS ${ident(`x${i}`)}`),
    sql`provider`,
    sql`toString(${CALL_MODEL}) AS model`,
    sql`service_tier`,
  ];
  const keyNames = join(
    [...extraKeys.map((_, i) => sql`${ident(`x${i}`)}`), sql`provider, model, service_tier`],
    ", ",
  );
  const found = await db.query<Record<string, string> & { traces: number; examples: string[] }>(
    build(sql`SELECT ${join(keyColumns, ", ")}, uniqExact(trace_id) AS traces, ${EXAMPLE_TRACES} AS examples
      FROM llm_calls FINAL WHERE ${where} GROUP BY ${keyNames} ${FINAL_SETTINGS}`),
  );
  const groups = new Map<string, RepricedGroup>();
  const starts = new Set<number>();
  const groupKeyOf = (row: Record<string, string>): SliceGroupKey => ({
    keys: Object.fromEntries(extraKeys.map((k, i) => [k.name, row[`x${i}`] ?? ""])),
    provider: row.provider ?? "",
    model: row.model ?? "",
    serviceTier: row.service_tier ?? "",
  });
  for (const row of found) {
    const key = groupKeyOf(row);
    const target = targetFor(key);
    for (const start of (target && tierStarts(book, target, at)) ?? []) starts.add(start);
    if (options.sameBook) for (const start of tierStarts(book, ownTarget(key), at) ?? []) starts.add(start);
    groups.set(JSON.stringify(key), {
      ...key,
      target,
      calls: 0,
      unpricedCalls: 0,
      currentUsd: 0n,
      counterfactualUsd: undefined,
      comparable: { calls: 0, currentUsd: 0n, counterfactualUsd: 0n },
      sameBook: { calls: 0, currentUsd: 0n, counterfactualUsd: 0n },
      priceVersion: "",
      traces: Number(row.traces),
      exampleTraceIds: row.examples,
    });
  }
  if (groups.size === 0) return [];
  const bounds = [...starts].sort((a, b) => a - b);
  const rows = await db.query<Record<string, string> & BucketRow>(
    build(sql`SELECT ${join(keyColumns, ", ")},
        arrayCount(x -> ${PROMPT} > x, ${param("Array(UInt64)", bounds)}) AS bucket,
        cost_source = 'unpriced' AS unpriced,
        count() AS calls,
        sum(cost_total) AS cost,
        sum(toUInt64(${UNCACHED})) AS uncached,
        sum(output_tokens) AS output,
        sum(cache_read_tokens) AS cache_read,
        sum(cache_write_tokens) AS cache_write,
        sum(toUInt64(${ONE_HOUR})) AS cache_write_1h,
        sum(toUInt64(${AUDIO_IN.uncached})) AS audio_input,
        sum(toUInt64(${AUDIO_IN.cacheRead})) AS audio_cache_read,
        sum(toUInt64(${AUDIO_IN.cacheWrite})) AS audio_cache_write,
        sum(toUInt64(${AUDIO_IN.cacheWrite1h})) AS audio_cache_write_1h,
        sum(toUInt64(least(audio_output_tokens, output_tokens))) AS audio_output,
        sum(web_searches) AS web_searches
      FROM llm_calls FINAL WHERE ${where}
      GROUP BY ${keyNames}, bucket, unpriced ${FINAL_SETTINGS}`),
  );
  const rates = new Map<string, BucketRates | undefined>();
  const ratesFor = (target: Target, bucket: number) => {
    const id = `${JSON.stringify(target)}#${bucket}`;
    if (!rates.has(id))
      rates.set(id, bucketRates(book, target, at, bucket === 0 ? 0 : bounds[bucket - 1]!, bounds[bucket]));
    return rates.get(id);
  };
  for (const row of rows) {
    const group = groups.get(JSON.stringify(groupKeyOf(row)));
    if (!group) continue; // a call that arrived between the two passes
    const bucket = Number(row.bucket);
    addBucket(
      group,
      row,
      group.target && ratesFor(group.target, bucket),
      options.sameBook ? ratesFor(ownTarget(group), bucket) : undefined,
    );
  }
  const order = (g: RepricedGroup) => JSON.stringify([g.keys, g.provider, g.model, g.serviceTier]);
  return [...groups.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1));
}

interface BucketRow {
  bucket: number;
  unpriced: number | boolean;
  calls: number;
  cost: string;
  uncached: number;
  output: number;
  cache_read: number;
  cache_write: number;
  /** The one-hour part of `cache_write`, each call's capped at its writes as `priceTokens` caps it. */
  cache_write_1h: number;
  /** The audio part of each token kind of the prompt (see `AUDIO_IN`), and of the output. */
  audio_input: number;
  audio_cache_read: number;
  audio_cache_write: number;
  audio_cache_write_1h: number;
  audio_output: number;
  web_searches: number;
}

/** The model and tier a group's calls ran on, as a target. */
function ownTarget(group: SliceGroupKey): Target {
  return { provider: group.provider, model: group.model, serviceTier: group.serviceTier };
}

function addBucket(
  group: RepricedGroup,
  row: BucketRow,
  rates: BucketRates | undefined,
  ownRates: BucketRates | undefined,
): void {
  const calls = Number(row.calls);
  const unpriced = row.unpriced === true || Number(row.unpriced) === 1;
  const current = parseUsd(row.cost);
  group.calls += calls;
  if (unpriced) group.unpricedCalls += calls;
  else group.currentUsd += current;
  if (!rates) return;
  const sums = tokenSums(row);
  const cost = priceSums(rates, sums);
  group.counterfactualUsd = (group.counterfactualUsd ?? 0n) + cost;
  group.priceVersion = rates.priceVersion;
  if (unpriced) return;
  group.comparable.calls += calls;
  group.comparable.currentUsd += current;
  group.comparable.counterfactualUsd += cost;
  if (!ownRates) return;
  group.sameBook.calls += calls;
  group.sameBook.currentUsd += priceSums(ownRates, sums);
  group.sameBook.counterfactualUsd += cost;
}

function tokenSums(row: BucketRow): TokenSums {
  return {
    uncached: Number(row.uncached),
    output: Number(row.output),
    cacheRead: Number(row.cache_read),
    cacheWrite: Number(row.cache_write),
    cacheWrite1h: Number(row.cache_write_1h),
    audioInput: Number(row.audio_input),
    audioCacheRead: Number(row.audio_cache_read),
    audioCacheWrite: Number(row.audio_cache_write),
    audioCacheWrite1h: Number(row.audio_cache_write_1h),
    audioOutput: Number(row.audio_output),
    webSearches: Number(row.web_searches),
  };
}
