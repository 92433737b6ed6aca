import type { DecisionAction } from "../decision.js";
import { parseUsd, type Usd } from "../pricing/money.js";
import { type BudgetRelease, type HeldKill, heldKill, levelKey, releaseOf } from "./budget-kills.js";
import type { Budget } from "./config.js";
import { DETECTOR, type DetectorEvent, type Finding } from "./events.js";
import { dollarsApart, type FindingSink, runLabel, usd } from "./finding.js";
import { type BudgetPeriod, periodEndMs, periodStart } from "./periods.js";
import type { RunState } from "./run-state.js";
import { type SessionSeedRequest, SessionSeeds } from "./session-seeds.js";
import { SpendLedger, type SpendSeed } from "./spend-ledger.js";

/** Scopes whose budgets run per UTC day or month. */
export type PeriodScope = "user" | "feature" | "tenant";
const PERIOD_SCOPES: readonly PeriodScope[] = ["user", "feature", "tenant"];
const PERIOD_WORD: Record<BudgetPeriod, string> = { day: "daily", month: "monthly" };

/** One alert level of a budget, with its dollar amount worked out once. */
export interface Level {
  fraction: number;
  pico: Usd;
  action: DecisionAction;
}

/** A budget ready to check: its limit and levels in pico-dollars. */
export interface CompiledBudget {
  budget: Budget;
  limitPico: Usd;
  levels: Level[];
}

/** Budgets of one scope: those for each id, and those for one named id. */
interface BudgetIndex {
  each: CompiledBudget[];
  byMatch: Map<string, CompiledBudget[]>;
}

const NONE: readonly CompiledBudget[] = [];
const NO_KILLS: readonly HeldKill[] = [];

/**
 * Budget checks. Run budgets (trace, session) compare a run's exact total; user, feature
 * and tenant budgets compare the spend of the UTC day or month that the event falls in, kept
 * by `SpendLedger`. Each alert level fires once per period (once per run): below 1 of the
 * limit it warns, at 1 and above it kills the scope. A budget whose limit changes gets fresh
 * levels (the key carries the limit), so lowering a limit below the spend stops the scope, and
 * raising it above the spend, or deleting the budget, lifts the period's kill (`setBudgets`).
 * A session's budget also counts what the session spent before the engine saw it, once the
 * caller has loaded that (`sessionSeeds`).
 */
export class BudgetBook {
  #run: Record<"trace" | "session", BudgetIndex> = { trace: emptyIndex(), session: emptyIndex() };
  #period: Record<PeriodScope, BudgetIndex> = {
    user: emptyIndex(),
    feature: emptyIndex(),
    tenant: emptyIndex(),
  };
  readonly ledger: SpendLedger;
  readonly sessionSeeds = new SessionSeeds();

  constructor(budgets: readonly Budget[], maxCounters: number) {
    this.ledger = new SpendLedger(maxCounters);
    this.setBudgets(budgets);
  }

  /**
   * Replaces every budget definition. Spend already counted is kept. Returns the releases of
   * the day and month kills the new definitions no longer justify.
   */
  setBudgets(budgets: readonly Budget[]): BudgetRelease[] {
    this.#run = { trace: emptyIndex(), session: emptyIndex() };
    this.#period = { user: emptyIndex(), feature: emptyIndex(), tenant: emptyIndex() };
    for (const budget of budgets) {
      const limitPico = parseUsd(budget.limitUsd);
      const levels = budget.alertAt.map((fraction) => ({
        fraction,
        // Fractions are read to a millionth so that 0.8 of a limit is exact, not 0.8000000000000000444.
        pico: (limitPico * BigInt(Math.round(fraction * 1_000_000))) / 1_000_000n,
        action: (fraction >= 1 ? "kill" : "warn") as DecisionAction,
      }));
      const index =
        budget.scope === "trace" || budget.scope === "session"
          ? this.#run[budget.scope]
          : this.#period[budget.scope];
      const compiled: CompiledBudget = { budget, limitPico, levels };
      if (budget.match === undefined) index.each.push(compiled);
      else index.byMatch.set(budget.match, [...(index.byMatch.get(budget.match) ?? []), compiled]);
    }
    return this.#liftKills();
  }

  /**
   * The run budgets that apply to a run of this project; a session asks for its earlier spend.
   * `counted` is the event just added to the run's total, for a session whose seed is to come.
   */
  runBudgets(run: RunState, projectId: string, counted?: DetectorEvent): readonly CompiledBudget[] {
    const index = this.#run[run.kind];
    if (index.each.length === 0 && index.byMatch.size === 0) return NONE;
    const budgets = matching(index, run.id, projectId);
    if (budgets.length > 0) {
      this.sessionSeeds.want(run, projectId);
      if (counted) this.sessionSeeds.counted(run, counted.traceId, counted.spanId, counted.timeUnixNano);
    }
    return budgets;
  }

  /**
   * Adds a session's spend from before the engine saw it (see `SessionSeeds`) and checks its
   * budgets. Warnings the earlier spend had already crossed were sent then, and are not repeated.
   */
  seedSession(request: SessionSeedRequest, spentUsd: string, sink: FindingSink): void {
    const run = this.sessionSeeds.take(request);
    if (!run) return;
    let pico: Usd;
    try {
      pico = parseUsd(spentUsd);
    } catch {
      return;
    }
    if (pico <= 0n) return;
    this.sessionSeeds.add(run, pico);
    this.checkRun(run, this.runBudgets(run, request.projectId), sink);
  }

  /** Checks a run's total, with its seeded spend, against its budgets; call after a priced step. */
  checkRun(run: RunState, budgets: readonly CompiledBudget[], sink: FindingSink): void {
    const seeded = budgets.length > 0 ? this.sessionSeeds.spent(run) : 0n;
    const spent = run.costPico + seeded;
    for (const compiled of budgets) {
      const { budget, limitPico } = compiled;
      for (const level of compiled.levels) {
        if (spent < level.pico) break;
        if (level.action === "warn" && level.pico <= seeded) continue;
        const detail = `${budget.id}:${level.fraction}@${budget.limitUsd}`;
        if (!sink.isNew(run, DETECTOR.budget, level.action, detail)) continue;
        const [spentText, limitText] = dollarsApart(spent, limitPico);
        sink.emitRun(
          run,
          DETECTOR.budget,
          level.action,
          `${runLabel(run)} has spent ${spentText} of its ${limitText} budget ` +
            `(${percent(level.fraction)} alert${level.action === "kill" ? "; stopping it" : ""}).`,
          {
            budget_id: budget.id,
            threshold: level.fraction,
            spent_usd: usd(spent),
            limit_usd: usd(limitPico),
            period: "run",
            alert_at: budget.alertAt,
          },
          detail,
        );
      }
    }
  }

  /** Adds a priced event to its user's, feature's and tenant's periods and checks their budgets. */
  checkPeriods(event: DetectorEvent, costPico: Usd, ms: number, sink: FindingSink): void {
    this.ledger.nextEvent();
    for (const scope of PERIOD_SCOPES) {
      const id = event[scope];
      if (id === "") continue;
      const index = this.#period[scope];
      if (index.each.length === 0 && index.byMatch.size === 0) continue;
      for (const compiled of index.each) this.#checkPeriod(compiled, event, scope, id, costPico, ms, sink);
      for (const compiled of index.byMatch.get(id) ?? NONE) {
        this.#checkPeriod(compiled, event, scope, id, costPico, ms, sink);
      }
    }
  }

  #checkPeriod(
    compiled: CompiledBudget,
    event: DetectorEvent,
    scope: PeriodScope,
    id: string,
    costPico: Usd,
    ms: number,
    sink: FindingSink,
  ): void {
    const { budget } = compiled;
    if (budget.projectId !== undefined && budget.projectId !== event.projectId) return;
    const period = budget.period ?? "month";
    const start = periodStart(ms, period);
    // Counted once per event however many budgets share the counter.
    const counter = this.ledger.add(event.projectId, scope, id, period, start, costPico);
    if (!counter) return; // the event belongs to a period that has already ended
    for (const level of compiled.levels) {
      if (counter.spentPico < level.pico) break;
      // Warnings the seeded spend had already crossed were sent before the restart.
      if (level.action === "warn" && level.pico <= counter.seededPico) continue;
      const kill =
        level.action === "kill"
          ? heldKill(compiled, level, counter, { projectId: event.projectId, scope, id, period, start })
          : undefined;
      const key = kill?.key ?? levelKey(compiled, level, scope, id, period, start);
      if (counter.fired?.has(key)) continue;
      counter.fired ??= new Set();
      counter.fired.add(key);
      sink.emit(periodFinding(compiled, level, scope, id, period, start, counter.spentPico, key));
      if (kill) this.ledger.holdKill(counter, kill);
    }
  }

  /**
   * Loads spend from storage (see `SpendLedger.seed`). With `adoptKills`, for the seeds a
   * collector loads as it starts: an id whose seeded spend has reached a budget's stop was
   * stopped before the restart, and its apps may still hold that kill (the same key gives the
   * same decision id), so it is held here too, for a raise or a delete to lift. It is not
   * counted as sent: the id's next priced call sends it again, for apps that lost it.
   */
  seedSpend(entries: readonly SpendSeed[], adoptKills: boolean): void {
    const loaded = this.ledger.seed(entries);
    if (!adoptKills) return;
    for (const { projectId, scope, id, period, start, pico } of loaded) {
      if (projectId === undefined) continue;
      const index = this.#period[scope];
      for (const compiled of [...index.each, ...(index.byMatch.get(id) ?? NONE)]) {
        const { budget } = compiled;
        if ((budget.period ?? "month") !== period) continue;
        if (budget.projectId !== undefined && budget.projectId !== projectId) continue;
        const stop = compiled.levels.find((level) => level.action === "kill");
        if (!stop || pico < stop.pico) continue;
        // Starts the id's period from its seed, adding nothing.
        const counter = this.ledger.add(projectId, scope, id, period, start, 0n);
        if (counter) {
          this.ledger.holdKill(
            counter,
            heldKill(compiled, stop, counter, { projectId, scope, id, period, start }),
          );
        }
      }
    }
  }

  /** Lifts each held kill the budgets now in force no longer justify (see `releaseOf`). */
  #liftKills(): BudgetRelease[] {
    const releases: BudgetRelease[] = [];
    for (const counter of this.ledger.killedCounters()) {
      const kept: HeldKill[] = [];
      for (const kill of counter.kills ?? NO_KILLS) {
        const index = this.#period[kill.scope];
        const budgets = [...index.each, ...(index.byMatch.get(kill.id) ?? NONE)];
        const release = releaseOf(kill, counter.spentPico, budgets);
        if (!release) {
          kept.push(kill);
          continue;
        }
        releases.push(release);
        counter.fired?.delete(kill.key);
        counter.lifted ??= new Map();
        counter.lifted.set(kill.levelKey, (counter.lifted.get(kill.levelKey) ?? 0) + 1);
      }
      this.ledger.keepKills(counter, kept);
    }
    return releases;
  }
}

function periodFinding(
  { budget, limitPico }: CompiledBudget,
  level: Level,
  scope: PeriodScope,
  id: string,
  period: BudgetPeriod,
  start: string,
  spentPico: Usd,
  key: string,
): Finding {
  const [spentText, limitText] = dollarsApart(spentPico, limitPico);
  return {
    detector: DETECTOR.budget,
    action: level.action,
    scope: { [scope]: id },
    reason:
      `${scope} ${id} has spent ${spentText} of its ${limitText} ${PERIOD_WORD[period]} ` +
      `budget since ${start} (${percent(level.fraction)} alert${level.action === "kill" ? `; stopping ${scope} ${id}` : ""}).`,
    evidence: {
      budget_id: budget.id,
      threshold: level.fraction,
      spent_usd: usd(spentPico),
      limit_usd: usd(limitPico),
      period,
      period_start: start,
      alert_at: budget.alertAt,
    },
    key,
    // A kill that lapsed mid-period would not come back: the period's key fires once.
    ...(level.action === "kill" ? { untilMs: periodEndMs(start, period) } : {}),
  };
}

function matching(index: BudgetIndex, id: string, projectId: string): CompiledBudget[] {
  const out: CompiledBudget[] = [];
  for (const list of [index.each, index.byMatch.get(id) ?? NONE]) {
    for (const compiled of list) {
      const project = compiled.budget.projectId;
      if (project === undefined || project === projectId) out.push(compiled);
    }
  }
  return out;
}

function emptyIndex(): BudgetIndex {
  return { each: [], byMatch: new Map() };
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}
