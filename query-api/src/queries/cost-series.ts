import { formatUsd, parseUsd } from "@burnrate/core";
import { build, type ClickHouse, type Fragment, ident, join, param, sql } from "@burnrate/storage";
import type { DimensionFilters } from "../schemas/filters.js";
import { bucketOf, bucketText, type CostSource } from "./cost-source.js";

/** One series: its key, its total priced cost, and its non-empty buckets in time order. */
export interface CostSeries {
  key: Record<string, string>;
  pricedCostUsd: string;
  points: { time: string; calls: number; unpricedCalls: number; pricedCostUsd: string }[];
}

/** The most points (series × non-empty buckets) one answer holds. */
export const MAX_POINTS = 500_000;

/** The series a time-series answer shows, chosen before any point is read. */
export interface SeriesChoice {
  /** Each chosen series' key values, in `keys` order, most expensive series first. */
  chosen: string[][];
  /** More series matched than were chosen. */
  truncated: boolean;
}

type Keys = readonly (keyof DimensionFilters)[];

/**
 * Chooses the `limit` series with the highest priced cost over the whole range, in SQL:
 * grouping by the series key alone is cheap whatever the bucket, so the ranking never
 * depends on how many points the series have. Ties go by key, so the choice is stable.
 * Without keys there is one series, and nothing to choose.
 */
export async function chooseSeries(
  db: ClickHouse,
  source: CostSource,
  keys: Keys,
  limit: number,
): Promise<SeriesChoice> {
  if (keys.length === 0) return { chosen: [[]], truncated: false };
  const aliases = keys.map((_, i) => sql`${ident(`k${i}`)}`);
  const selected = keys.map((key, i) => sql`toString(${source.column(key)}) AS ${aliases[i]!}`);
  // Both the rollup and the calls name the priced cost `cost_total` (an unpriced call stores 0).
  const rows = await db.query<Record<string, string>>(
    build(sql`SELECT ${join(selected, ", ")}, sum(cost_total) AS cost
      FROM ${source.from}
      GROUP BY ${join(aliases, ", ")}
      ORDER BY cost DESC, ${join(aliases, ", ")}
      LIMIT ${param("UInt32", limit + 1)}
      ${source.settings}`),
  );
  return {
    chosen: rows.slice(0, limit).map((row) => keys.map((_, i) => row[`k${i}`] ?? "")),
    truncated: rows.length > limit,
  };
}

/** How many points the chosen series have: their non-empty buckets, counted in SQL. */
export async function countPoints(
  db: ClickHouse,
  source: CostSource,
  bucket: "minute" | "hour" | "day",
  keys: Keys,
  choice: SeriesChoice,
): Promise<number> {
  if (choice.chosen.length === 0) return 0;
  const grouped = [...keys.map((key) => source.column(key)), bucketOf(source.time, bucket)];
  const [row] = await db.query<{ points: number }>(
    build(sql`SELECT count() AS points FROM (
        SELECT 1 FROM ${source.fromWhere(isChosen(source, keys, choice))}
        GROUP BY ${join(grouped, ", ")}
      ) ${source.settings}`),
  );
  return Number(row?.points ?? 0);
}

/**
 * The points of the chosen series, in the order they were chosen. Each series' total is
 * the sum of its points, so the two always agree.
 */
export async function seriesPoints(
  db: ClickHouse,
  source: CostSource,
  bucket: "minute" | "hour" | "day",
  keys: Keys,
  choice: SeriesChoice,
): Promise<CostSeries[]> {
  if (choice.chosen.length === 0) return [];
  const aliases = keys.map((_, i) => sql`${ident(`k${i}`)}`);
  const selected = keys.map((key, i) => sql`toString(${source.column(key)}) AS ${aliases[i]!}`);
  const bucketKey = bucketOf(source.time, bucket);
  const grouped = [...keys.map((key) => source.column(key)), bucketKey];
  const rows = await db.query<
    { t: string; calls: number; unpricedCalls: number; pricedCostUsd: string } & Record<string, string>
  >(
    build(sql`SELECT ${join([...selected, sql`${bucketText(bucketKey, bucket)} AS t`], ", ")}, ${source.totals}
      FROM ${source.fromWhere(isChosen(source, keys, choice))}
      GROUP BY ${join(grouped, ", ")}
      ORDER BY ${join([...aliases, sql`t`], ", ")}
      ${source.settings}`),
  );
  const byKey = new Map(
    choice.chosen.map((values) => [
      JSON.stringify(values),
      { values, total: 0n, points: [] as CostSeries["points"] },
    ]),
  );
  for (const row of rows) {
    const series = byKey.get(JSON.stringify(keys.map((_, i) => row[`k${i}`] ?? "")));
    if (!series) continue;
    series.total += parseUsd(row.pricedCostUsd);
    series.points.push({
      time: row.t,
      calls: Number(row.calls),
      unpricedCalls: Number(row.unpricedCalls),
      pricedCostUsd: row.pricedCostUsd,
    });
  }
  // A series chosen a moment ago can have no points now (a rollup minute being rebuilt).
  return [...byKey.values()]
    .filter((s) => s.points.length > 0)
    .map((s) => ({
      key: Object.fromEntries(keys.map((k, i) => [k, s.values[i]!])),
      pricedCostUsd: formatUsd(s.total),
      points: s.points,
    }));
}

/** The source's rows that belong to a chosen series; the keys travel as one array parameter. */
function isChosen(source: CostSource, keys: Keys, choice: SeriesChoice): Fragment {
  if (keys.length === 0) return sql`1`;
  const values = join(
    keys.map((key) => sql`toString(${source.column(key)})`),
    ", ",
  );
  return sql`[${values}] IN ${param("Array(Array(String))", choice.chosen)}`;
}
