import type { DecisionScope } from "../decision.js";
import type { Usd } from "../pricing/money.js";
import type { CompiledBudget, Level, PeriodScope } from "./budgets.js";
import { dollars, dollarsApart, usd } from "./finding.js";
import { type BudgetPeriod, periodEndMs } from "./periods.js";
import type { SpendCounter } from "./spend-ledger.js";

const PERIOD_WORD: Record<BudgetPeriod, string> = { day: "daily", month: "monthly" };

/** A kill of a user's, feature's or tenant's day or month, held so that a budget change can lift it. */
export interface HeldKill {
  /** The kill finding's key. */
  key: string;
  /** The key of the kill's level, without the count of lifted kills (see `killKey`). */
  levelKey: string;
  /** The project of the event that caused the kill: the decision's project. */
  projectId: string;
  budgetId: string;
  /** The budget's own project, if it names one. */
  budgetProjectId: string | undefined;
  scope: PeriodScope;
  id: string;
  period: BudgetPeriod;
  start: string;
  limitPico: Usd;
  /** When the kill ends by itself: the end of its day or month. */
  untilMs: number;
}

/**
 * A budget's kill lifted before its day or month ended: the budget was raised above the spend,
 * or deleted. The collector sends it as a `release` decision that names the kill.
 */
export interface BudgetRelease {
  /** The kill's project. */
  projectId: string;
  scope: DecisionScope;
  reason: string;
  evidence: Record<string, unknown>;
  /** The release's own key, unique like a finding's. */
  key: string;
  /** The key of the kill finding it lifts. */
  releases: string;
  /** When the kill would have ended: the release lasts as long. */
  untilMs: number;
}

/** Where a kill or warning of a budget's period applies: the id's project, scope and period. */
export interface PeriodOf {
  projectId: string;
  scope: PeriodScope;
  id: string;
  period: BudgetPeriod;
  start: string;
}

/**
 * The key of a budget level's finding in an id's period. It carries the limit, so a changed
 * limit alerts afresh.
 * @example "budget:kill:user:alice:alice-month:month:2025-03-01:1@10"
 */
export function levelKey(
  { budget }: CompiledBudget,
  level: Level,
  scope: PeriodScope,
  id: string,
  period: BudgetPeriod,
  start: string,
): string {
  return `budget:${level.action}:${scope}:${id}:${budget.id}:${period}:${start}:${level.fraction}@${budget.limitUsd}`;
}

/** The kill of a budget's stop level in an id's period, to hold until the period ends or a change lifts it. */
export function heldKill(
  compiled: CompiledBudget,
  stop: Level,
  counter: SpendCounter,
  at: PeriodOf,
): HeldKill {
  const level = levelKey(compiled, stop, at.scope, at.id, at.period, at.start);
  return {
    key: killKey(level, counter),
    levelKey: level,
    projectId: at.projectId,
    budgetId: compiled.budget.id,
    budgetProjectId: compiled.budget.projectId,
    scope: at.scope,
    id: at.id,
    period: at.period,
    start: at.start,
    limitPico: compiled.limitPico,
    untilMs: periodEndMs(at.start, at.period),
  };
}

/**
 * A kill finding's key: its level's key, and after a kill of that level was lifted in this
 * period, the count of lifts, so the kill that comes back is a decision of its own rather than
 * a repeat of the lifted one (which receivers drop as already seen).
 * @example killKey("budget:kill:user:alice:u:month:2025-03-01:1@20", counter) // "…:1@20:after-release-1"
 */
export function killKey(levelKey: string, counter: SpendCounter): string {
  const lifted = counter.lifted?.get(levelKey) ?? 0;
  return lifted === 0 ? levelKey : `${levelKey}:after-release-${lifted}`;
}

/**
 * Whether the budgets now in force still stop a kill's scope, and if not, its release. The kill
 * holds while a budget with its id, project and period watches its id (the caller passes the
 * budgets of the kill's scope that match the id) and the spend has reached that budget's stop.
 * Otherwise it is lifted: `raised` when the budget is still there (its limit, or its stop level,
 * went up), `removed` when it was deleted or no longer watches the id.
 */
export function releaseOf(
  kill: HeldKill,
  spentPico: Usd,
  budgets: readonly CompiledBudget[],
): BudgetRelease | undefined {
  let raised: CompiledBudget | undefined;
  for (const compiled of budgets) {
    const { budget } = compiled;
    if (budget.id !== kill.budgetId || budget.projectId !== kill.budgetProjectId) continue;
    if ((budget.period ?? "month") !== kill.period) continue;
    const stop = compiled.levels.find((level) => level.action === "kill");
    if (stop && spentPico >= stop.pico) return undefined;
    raised = compiled;
  }
  const who = `${kill.scope} ${kill.id}`;
  const since = `since ${kill.start}`;
  const budget = `${PERIOD_WORD[kill.period]} budget ${kill.budgetId}`;
  const stop = raised?.levels.find((level) => level.action === "kill");
  let reason = `The ${budget} of ${who} no longer stops it; lifting the stop.`;
  if (!raised) {
    reason = `The ${budget}, which stopped ${who} at ${dollars(kill.limitPico)}, was deleted or no longer applies to it; lifting the stop.`;
  } else if (stop) {
    const [stopText, spentText] = dollarsApart(stop.pico, spentPico);
    reason = `The ${budget} of ${who} now stops it at ${stopText}, above the ${spentText} spent ${since}; lifting the stop.`;
  }
  return {
    projectId: kill.projectId,
    scope: { [kill.scope]: kill.id },
    reason,
    evidence: {
      budget_id: kill.budgetId,
      change: raised ? "raised" : "removed",
      spent_usd: usd(spentPico),
      previous_limit_usd: usd(kill.limitPico),
      ...(raised ? { limit_usd: usd(raised.limitPico), alert_at: raised.budget.alertAt } : {}),
      period: kill.period,
      period_start: kill.start,
    },
    key: `${kill.key}:released`,
    releases: kill.key,
    untilMs: kill.untilMs,
  };
}
