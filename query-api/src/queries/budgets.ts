import { build, type ClickHouse, param, sql } from "@burnrate/storage";
import type { Budget, BudgetInput } from "../schemas/budget.js";
import { isoFromSql, sqlTime } from "../schemas/time-range.js";

interface BudgetRow {
  id: string;
  scope: Budget["scope"];
  match: string;
  period: "" | "day" | "month";
  limit_usd: string;
  alert_at: number[];
  updated_text: string;
}

const COLUMNS = sql`id, scope, match, period, limit_usd, alert_at, toString(updated_at) AS updated_text`;

/** The most budgets one project may list at once. */
const MAX_BUDGETS = 10_000;

/** A project's live budgets, by id. FINAL leaves out deleted ones (the engine's `deleted` flag). */
export async function listBudgets(db: ClickHouse, project: string, id?: string): Promise<Budget[]> {
  const byId = id === undefined ? sql`` : sql`AND id = ${param("String", id)}`;
  const rows = await db.query<BudgetRow>(
    build(sql`SELECT ${COLUMNS} FROM budgets FINAL
      WHERE project_id = ${param("String", project)} ${byId} AND deleted = 0
      ORDER BY id LIMIT ${param("UInt32", MAX_BUDGETS)}`),
  );
  return rows.map(toBudget);
}

let lastVersion = 0n;

/**
 * A version newer than any this process wrote: nanoseconds since the epoch, like the
 * collector's, bumped when two writes land in the same millisecond.
 */
function nextVersion(now: Date): bigint {
  const clock = BigInt(now.getTime()) * 1_000_000n;
  lastVersion = clock > lastVersion ? clock : lastVersion + 1n;
  return lastVersion;
}

/** Writes a budget (a new row version; ReplacingMergeTree keeps the newest). */
export async function writeBudget(
  db: ClickHouse,
  project: string,
  id: string,
  input: BudgetInput,
  now: Date,
): Promise<void> {
  await db.insert("budgets", [row(project, id, input, now, 0)]);
}

/** Deletes a budget by writing a newer row marked deleted. */
export async function deleteBudget(
  db: ClickHouse,
  project: string,
  existing: Budget,
  now: Date,
): Promise<void> {
  await db.insert("budgets", [row(project, existing.id, existing, now, 1)]);
}

function row(
  project: string,
  id: string,
  b: Pick<BudgetInput, "scope" | "match" | "period" | "limitUsd" | "alertAt">,
  now: Date,
  deleted: 0 | 1,
) {
  return {
    project_id: project,
    id,
    scope: b.scope,
    match: b.match,
    period: b.period ?? "",
    limit_usd: b.limitUsd,
    alert_at: b.alertAt,
    updated_at: sqlTime(now),
    version: nextVersion(now).toString(),
    deleted,
  };
}

function toBudget(r: BudgetRow): Budget {
  return {
    id: r.id,
    scope: r.scope,
    match: r.match,
    period: r.period === "" ? null : r.period,
    limitUsd: r.limit_usd,
    alertAt: r.alert_at,
    updatedAt: isoFromSql(r.updated_text),
  };
}
