import {
  type BudgetInput,
  type Decision,
  type DetectionEngine,
  periodStart,
  type SpendSeed,
} from "@burnrate/core";
import { and, build, type ClickHouse, ident, param, sql } from "@burnrate/storage";
import type { Logger } from "../writer/writer.js";
import { type DecisionTtls, toDecision } from "./decisions.js";
import { toRelease } from "./releases.js";
import { SessionSeeder } from "./session-seeder.js";

interface BudgetRow {
  project_id: string;
  id: string;
  scope: BudgetInput["scope"];
  match: string;
  period: "" | "day" | "month";
  limit_usd: string;
  alert_at: number[];
}

const SCOPE_COLUMN = { user: "user_id", feature: "feature", tenant: "tenant" } as const;

/** What a budget's seed covers: its project, scope, match and period. */
const seedKey = (b: BudgetRow) => JSON.stringify([b.project_id, b.scope, b.match, b.period]);

/** Where the decisions that budget changes and loaded spend cause go (the detect stage's hub). */
export interface BudgetDecisions {
  publish(decision: Decision): void;
  ttlSeconds: DecisionTtls;
}

/**
 * Keeps the detection engine's budgets in step with the `budgets` table (the query API's
 * PUT /v1/budgets writes it), polling every few seconds, so a change applies without a
 * restart; a day or month kill that a change no longer justifies (a budget raised above the
 * spend, or deleted) is lifted with a `release` decision. At start it also seeds the day's
 * and month's spend from the cost rollup, so a restarted collector still knows what each
 * user, feature and tenant has spent, and each session's spend is loaded when the engine
 * first sees the session (see `SessionSeeder`).
 */
export class BudgetSync {
  #timer: NodeJS.Timeout | undefined;
  #last = "";
  #seeded = false;
  /** The budgets whose scope's spend has been seeded (see `seedKey`). */
  readonly #seededKeys = new Set<string>();
  #failing = false;
  readonly #sessions: SessionSeeder;

  constructor(
    private readonly db: ClickHouse,
    private readonly engine: DetectionEngine,
    private readonly log: Logger,
    private readonly pollSeconds: number,
    private readonly decisions: BudgetDecisions,
  ) {
    this.#sessions = new SessionSeeder(db, engine, log, (projectId, finding) =>
      decisions.publish(toDecision(projectId, finding, decisions.ttlSeconds)),
    );
  }

  /**
   * Loads the budgets and seeds the spend, then polls. When storage cannot be reached at
   * start it throws (the caller logs it), and the polls keep trying: budgets apply as soon as
   * storage answers, instead of never until a restart.
   */
  async start(): Promise<void> {
    this.#timer = setInterval(() => {
      this.#polling ??= this.#poll().finally(() => {
        this.#polling = undefined;
      });
    }, this.pollSeconds * 1000);
    this.#timer.unref();
    await this.#sync();
  }

  /**
   * Reloads the budgets, and seeds the spend of each budget not seeded yet: all of them at
   * start, then each budget added while running, whose day or month began before it existed
   * (the engine counts spend live only for scopes that have a budget). A seed taken late,
   * after events were counted live, does not count them twice: a live counter keeps the
   * larger of its own spend and the seed (see core's SpendLedger.seed). A budget that goes
   * away is forgotten, so if it comes back it is seeded again: its scope's spend while it was
   * gone was not counted live.
   */
  async #sync(): Promise<void> {
    const budgets = await this.#load();
    const present = new Set(budgets.map(seedKey));
    for (const key of this.#seededKeys) if (!present.has(key)) this.#seededKeys.delete(key);
    const unseeded = budgets.filter((b) => !this.#seededKeys.has(seedKey(b)));
    if (unseeded.length > 0) await this.#seed(unseeded);
    for (const budget of unseeded) this.#seededKeys.add(seedKey(budget));
    this.#seeded = true;
  }

  async #poll(): Promise<void> {
    try {
      const late = !this.#seeded;
      await this.#sync();
      if (late) this.log.info("burnrate: budgets loaded");
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) {
        this.log.warn(
          `burnrate: could not load budgets (${(error as Error).message}); ${this.#seeded ? "keeping the last ones" : "budgets are off until storage answers"}; retrying every ${this.pollSeconds} s`,
        );
      }
      this.#failing = true;
    }
  }

  /**
   * Stops polling and seeding, and waits for a poll or seed query still running: the store is
   * closed next, and closing it under a running query leaves the engine's data directory bound.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([this.#polling, this.#sessions.stop()]);
  }

  /** The poll now running, if any; a slow store does not get a second one stacked on it. */
  #polling: Promise<void> | undefined;

  async #load(): Promise<BudgetRow[]> {
    const rows = await this.db.query<BudgetRow>({
      query: `SELECT project_id, id, scope, match, period, limit_usd, alert_at
        FROM budgets FINAL WHERE deleted = 0 ORDER BY project_id, id`,
      params: {},
    });
    const signature = JSON.stringify(rows);
    if (signature !== this.#last) {
      this.#last = signature;
      const now = Date.now();
      for (const release of this.engine.setBudgets(rows.map(toBudget))) {
        // A kill whose day or month is over has lapsed by itself.
        if (release.untilMs > now) this.decisions.publish(toRelease(release, this.decisions.ttlSeconds, now));
      }
    }
    return rows;
  }

  /** Spend so far this day and month for every user, feature and tenant a budget watches. */
  async #seed(budgets: BudgetRow[]): Promise<void> {
    const now = new Date();
    const seeds: SpendSeed[] = [];
    // Periods are UTC days and months: the start is read as UTC, not in the server's time
    // zone (embedded chDB takes the host's), which would count spend from before it or miss some.
    for (const budget of budgets) {
      if (budget.scope === "trace" || budget.scope === "session") continue;
      const period = budget.period === "day" ? "day" : "month";
      const start = periodStart(now.getTime(), period);
      const column = ident(SCOPE_COLUMN[budget.scope]);
      const rows = await this.db.query<{ id: string; spent: string }>(
        build(sql`SELECT ${column} AS id, sum(cost_total) AS spent FROM llm_cost_minutely
          WHERE ${and([
            sql`project_id = ${param("String", budget.project_id)}`,
            sql`minute >= parseDateTime64BestEffort(${param("String", start)}, 3, 'UTC')`,
            budget.match ? sql`${column} = ${param("String", budget.match)}` : undefined,
          ])}
          GROUP BY id HAVING id != ''`),
      );
      for (const row of rows) {
        seeds.push({
          scope: budget.scope,
          id: row.id,
          period,
          periodStart: start,
          spentUsd: row.spent,
          projectId: budget.project_id,
        });
      }
    }
    // The first seeds are a start's: kills their spend reached may still be held by apps.
    if (seeds.length > 0) this.engine.seedSpend(seeds, { atStart: !this.#seeded });
  }
}

function toBudget(row: BudgetRow): BudgetInput {
  const isRun = row.scope === "trace" || row.scope === "session";
  return {
    id: row.id,
    scope: row.scope,
    projectId: row.project_id,
    ...(row.match ? { match: row.match } : {}),
    ...(!isRun && row.period ? { period: row.period } : {}),
    limitUsd: row.limit_usd,
    ...(row.alert_at.length > 0 ? { alertAt: row.alert_at } : {}),
  };
}
