import { formatUsd, parseUsd } from "@burnrate/core";
import { build, type ClickHouse, type Fragment, ident, join, param, sql } from "@burnrate/storage";
import type { GroupKey } from "../schemas/costs.js";
import type { CallTotals } from "../schemas/money.js";
import { bucketOf, bucketText, type CostSource } from "./cost-source.js";
import { type TotalsRow, toTotals } from "./totals.js";

/** A group's key values (by group key) and its totals. */
export interface CostGroup extends CallTotals {
  key: Record<string, string>;
}

/** The SQL expression a group key groups by: a dimension, or the call's UTC day or hour. */
export function groupExpression(source: CostSource, key: GroupKey): Fragment {
  if (key === "day" || key === "hour") return bucketOf(source.time, key);
  return source.column(key);
}

/** How a grouped key is returned: as text, formatted once per group. */
function keyText(key: GroupKey, grouped: Fragment): Fragment {
  return key === "day" || key === "hour" ? bucketText(grouped, key, true) : sql`toString(${grouped})`;
}

/**
 * Totals grouped by 1–3 keys, most expensive first (or by key), plus one more row than
 * `limit` so the caller knows whether it cut anything. Keys come back as `k0`, `k1`, `k2`
 * aliases, never as text taken from the request.
 */
export async function costGroups(
  db: ClickHouse,
  source: CostSource,
  keys: readonly GroupKey[],
  sort: "cost" | "key",
  limit: number,
): Promise<CostGroup[]> {
  const grouped = keys.map((key) => groupExpression(source, key));
  const aliases = keys.map((_, i) => sql`${ident(`k${i}`)}`);
  const selected = join(
    keys.map((key, i) => sql`${keyText(key, grouped[i]!)} AS ${aliases[i]!}`),
    ", ",
  );
  const byKey = join(aliases, ", ");
  const order = sort === "cost" ? sql`pricedCostUsd DESC, ${byKey}` : byKey;
  const rows = await db.query<TotalsRow & Record<string, string>>(
    build(sql`SELECT ${selected}, ${source.totals}
      FROM ${source.from}
      GROUP BY ${join(grouped, ", ")}
      ORDER BY ${order}
      LIMIT ${param("UInt32", limit)}
      ${source.settings}`),
  );
  return rows.map((row) => ({
    key: Object.fromEntries(keys.map((key, i) => [key, row[`k${i}`] ?? ""])),
    ...toTotals(row),
  }));
}

/**
 * The sum of groups, exact (money as bigint pico-dollars). When no group was cut, this is
 * the total, and saves reading the range a second time.
 */
export function sumGroups(groups: readonly CallTotals[]): CallTotals {
  const total: CallTotals = toTotals(undefined);
  let cost = 0n;
  for (const g of groups) {
    total.calls += g.calls;
    total.pricedCalls += g.pricedCalls;
    total.unpricedCalls += g.unpricedCalls;
    total.errorCalls += g.errorCalls;
    cost += parseUsd(g.pricedCostUsd);
    for (const kind of Object.keys(total.tokens) as (keyof CallTotals["tokens"])[])
      total.tokens[kind] += g.tokens[kind];
  }
  return { ...total, pricedCostUsd: formatUsd(cost) };
}

/** Totals over everything the source matches. */
export async function costTotals(db: ClickHouse, source: CostSource): Promise<CallTotals> {
  const [row] = await db.query<TotalsRow>(
    build(sql`SELECT ${source.totals} FROM ${source.from} ${source.settings}`),
  );
  return toTotals(row);
}
