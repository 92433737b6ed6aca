import type { DecisionAction } from "../decision.js";
import { parseUsd, type Usd } from "../pricing/money.js";
import type { Budget } from "./config.js";
import { DETECTOR, type DetectorEvent, type Finding } from "./events.js";
import { dollars, type FindingSink, runLabel, usd } from "./finding.js";
import { type BudgetPeriod, periodEndMs, periodStart } from "./periods.js";
import type { RunState } from "./run-state.js";
import { SpendLedger } from "./spend-ledger.js";

/** Scopes whose budgets run per UTC day or month. */
export type PeriodScope = "user" | "feature" | "tenant";
const PERIOD_SCOPES: readonly PeriodScope[] = ["user", "feature", "tenant"];
const PERIOD_WORD: Record<BudgetPeriod, string> = { day: "daily", month: "monthly" };

/** One alert level of a budget, with its dollar amount worked out once. */
interface Level {
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

/**
 * Budget checks. Run budgets (trace, session) compare a run's exact total; user, feature
 * and tenant budgets compare the spend of the UTC day or month that the event falls in, kept
 * by `SpendLedger`. Each alert level fires once per period (once per run): below 1 of the
 * limit it warns, at 1 and above it kills the scope. A budget whose limit changes gets fresh
 * levels (the key carries the limit), so lowering a limit below the spend stops the scope.
 */
export class BudgetBook {
  #run: Record<"trace" | "session", BudgetIndex> = { trace: emptyIndex(), session: emptyIndex() };
  #period: Record<PeriodScope, BudgetIndex> = {
    user: emptyIndex(),
    feature: emptyIndex(),
    tenant: emptyIndex(),
  };
  readonly ledger: SpendLedger;

  constructor(budgets: readonly Budget[], maxCounters: number) {
    this.ledger = new SpendLedger(maxCounters);
    this.setBudgets(budgets);
  }

  /** Replaces every budget definition. Spend already counted is kept. */
  setBudgets(budgets: readonly Budget[]): void {
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
  }

  /** The run budgets that apply to a run of this project. */
  runBudgets(run: RunState, projectId: string): readonly CompiledBudget[] {
    const index = this.#run[run.kind];
    if (index.each.length === 0 && index.byMatch.size === 0) return NONE;
    return matching(index, run.id, projectId);
  }

  /** Checks a run's total against its budgets; call after a priced step. */
  checkRun(run: RunState, budgets: readonly CompiledBudget[], sink: FindingSink): void {
    for (const compiled of budgets) {
      const { budget, limitPico } = compiled;
      for (const level of compiled.levels) {
        if (run.costPico < level.pico) break;
        const detail = `${budget.id}:${level.fraction}@${budget.limitUsd}`;
        if (!sink.isNew(run, DETECTOR.budget, level.action, detail)) continue;
        sink.emitRun(
          run,
          DETECTOR.budget,
          level.action,
          `${runLabel(run)} has spent ${dollars(run.costPico)} of its ${dollars(limitPico)} budget ` +
            `(${percent(level.fraction)} alert${level.action === "kill" ? "; stopping it" : ""}).`,
          {
            budget_id: budget.id,
            threshold: level.fraction,
            spent_usd: usd(run.costPico),
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
      const key =
        `budget:${level.action}:${scope}:${id}:${budget.id}:${period}:${start}:` +
        `${level.fraction}@${budget.limitUsd}`;
      if (counter.fired?.has(key)) continue;
      counter.fired ??= new Set();
      counter.fired.add(key);
      sink.emit(periodFinding(compiled, level, scope, id, period, start, counter.spentPico, key));
    }
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
  return {
    detector: DETECTOR.budget,
    action: level.action,
    scope: { [scope]: id },
    reason:
      `${scope} ${id} has spent ${dollars(spentPico)} of its ${dollars(limitPico)} ${PERIOD_WORD[period]} ` +
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
