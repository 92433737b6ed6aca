import { formatUsd, parseUsd } from "@burnrate/core";
import { build, type ClickHouse, ident, join, param, sql } from "@burnrate/storage";
import type { DimensionFilters } from "../schemas/filters.js";
import { bucketOf, bucketText, type CostSource } from "./cost-source.js";

/** One series: its key, its total priced cost, and its non-empty buckets in time order. */
export interface CostSeries {
  key: Record<string, string>;
  pricedCostUsd: string;
  points: { time: string; calls: number; unpricedCalls: number; pricedCostUsd: string }[];
}

/** The most rows one time-series query reads (buckets × series). */
const MAX_ROWS = 500_000;

/**
 * Bucketed totals, optionally split by up to two dimensions. The `limit` series with the
 * highest priced cost are returned; `truncated` says whether others were left out.
 */
export async function costSeries(
  db: ClickHouse,
  source: CostSource,
  bucket: "minute" | "hour" | "day",
  keys: readonly (keyof DimensionFilters)[],
  limit: number,
): Promise<{ series: CostSeries[]; truncated: boolean }> {
  const aliases = keys.map((_, i) => sql`${ident(`k${i}`)}`);
  const selected = keys.map((key, i) => sql`toString(${source.column(key)}) AS ${aliases[i]!}`);
  const bucketKey = bucketOf(source.time, bucket);
  const grouped = [...keys.map((key) => source.column(key)), bucketKey];
  const rows = await db.query<
    { t: string; calls: number; unpricedCalls: number; pricedCostUsd: string } & Record<string, string>
  >(
    build(sql`SELECT ${join([...selected, sql`${bucketText(bucketKey, bucket)} AS t`], ", ")}, ${source.totals}
      FROM ${source.from}
      GROUP BY ${join(grouped, ", ")}
      ORDER BY ${join([...aliases, sql`t`], ", ")}
      LIMIT ${param("UInt32", MAX_ROWS)}
      ${source.settings}`),
  );
  const byKey = new Map<
    string,
    { key: Record<string, string>; total: bigint; points: CostSeries["points"] }
  >();
  for (const row of rows) {
    const key = Object.fromEntries(keys.map((k, i) => [k, row[`k${i}`] ?? ""]));
    const id = JSON.stringify(key);
    const series = byKey.get(id) ?? { key, total: 0n, points: [] };
    series.total += parseUsd(row.pricedCostUsd);
    series.points.push({
      time: row.t,
      calls: Number(row.calls),
      unpricedCalls: Number(row.unpricedCalls),
      pricedCostUsd: row.pricedCostUsd,
    });
    byKey.set(id, series);
  }
  const ranked = [...byKey.values()].sort((a, b) =>
    a.total === b.total
      ? JSON.stringify(a.key) < JSON.stringify(b.key)
        ? -1
        : 1
      : a.total > b.total
        ? -1
        : 1,
  );
  return {
    series: ranked
      .slice(0, limit)
      .map((s) => ({ key: s.key, pricedCostUsd: formatUsd(s.total), points: s.points })),
    truncated: ranked.length > limit,
  };
}
