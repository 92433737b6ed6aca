import { createPriceBook, type PriceOverrides, parsePriceOverrides } from "@burnrate/core";
import { context } from "@opentelemetry/api";
import { runScopeOf } from "./guard.js";
import type { GuardConfig } from "./guard-config.js";
import { type RunUsage, usd } from "./ledger.js";
import { getRuntime } from "./runtime.js";

/**
 * What the current runs have spent and have left. `scope` names the runs a call made here
 * counts in: its trace, and its session when attribution names one. For each measure (cost,
 * calls, tokens), `spent*` and `remaining*` are of the run that leaves less, the one whose
 * limit would stop a call first; with no limit on that measure, of the session if there is
 * one, else of the trace. `remaining*` is undefined where no limit applies, and outside any
 * trace and session, where no run does.
 */
export interface BudgetStatus {
  scope: { trace?: string; session?: string };
  spentUsd: number;
  remainingUsd: number | undefined;
  /** Calls sent, including those still in flight. */
  calls: number;
  remainingCalls: number | undefined;
  tokens: number;
  remainingTokens: number | undefined;
}

/** One measure of one run: what it used and its limit. */
interface Measure {
  used: number;
  limit: number | undefined;
}

/**
 * The budget of the current trace and session, so an agent can see what it has left and plan
 * accordingly: for each measure, the tighter of the two (see `BudgetStatus`).
 * @example const { remainingUsd } = budget(); // 1.58, or undefined without a cost limit
 */
export function budget(): BudgetStatus {
  const { guard } = getRuntime();
  const { traceId, session } = runScopeOf(context.active());
  const c: GuardConfig = guard.config;
  const measures = (used: RunUsage | undefined, cost?: number, calls?: number, tokens?: number) => ({
    cost: { used: used?.costUsd ?? 0, limit: cost },
    calls: { used: used?.calls ?? 0, limit: calls },
    tokens: { used: used?.tokens ?? 0, limit: tokens },
  });
  // The session first: it is the one reported where neither run has a limit.
  const runs: { cost: Measure; calls: Measure; tokens: Measure }[] = [];
  if (session) {
    const used = guard.usage("session", session);
    runs.push(measures(used, c.maxCostPerSession, c.maxCallsPerSession, c.maxTokensPerSession));
  }
  if (traceId) {
    const used = guard.usage("trace", traceId);
    runs.push(measures(used, c.maxCostPerTrace, c.maxCallsPerTrace, c.maxTokensPerTrace));
  }
  const cost = tightest(runs.map((run) => run.cost));
  const calls = tightest(runs.map((run) => run.calls));
  const tokens = tightest(runs.map((run) => run.tokens));
  const scope: BudgetStatus["scope"] = {};
  if (traceId) scope.trace = traceId;
  if (session) scope.session = session;
  return {
    scope,
    spentUsd: cost.used,
    remainingUsd: cost.left,
    calls: calls.used,
    remainingCalls: calls.left,
    tokens: tokens.used,
    remainingTokens: tokens.left,
  };
}

/** Of one measure's runs, the one with the least left; the first if none has a limit; nothing without runs. */
function tightest(measures: Measure[]): { used: number; left: number | undefined } {
  let tightest: { used: number; left: number | undefined } = {
    used: measures[0]?.used ?? 0,
    left: undefined,
  };
  for (const { used, limit } of measures) {
    if (limit === undefined) continue;
    // Rounded to a nano-dollar so float noise (0.0045000000000000005) does not show.
    const left = Math.max(0, Number((limit - used).toFixed(9)));
    if (tightest.left === undefined || left < tightest.left) tightest = { used, left };
  }
  return tightest;
}

/**
 * One line for a system prompt, e.g. "Budget: $0.4200 spent, $1.5800 left; 12 calls made, 38 left."
 * For each measure it tells of the tighter of the current trace and session (see `budget()`).
 */
export function budgetNote(): string {
  const b = budget();
  const cost =
    b.remainingUsd === undefined
      ? `${usd(b.spentUsd)} spent`
      : `${usd(b.spentUsd)} spent, ${usd(b.remainingUsd)} left`;
  const made = `${b.calls} ${b.calls === 1 ? "call" : "calls"} made`;
  const calls = b.remainingCalls === undefined ? made : `${made}, ${b.remainingCalls} left`;
  return `Budget: ${cost}; ${calls}.`;
}

/**
 * Prices models genai-prices does not know, or at your negotiated rates, for local costs,
 * `budget()` and the cost limits: the collector's overrides file's shape, e.g.
 * `setPrices({ models: [{ match: { exact: "acme-llama-70b" }, inputPerMillion: 0.5, outputPerMillion: 1.5 }] })`.
 * Replaces any overrides set before, including `BURNRATE_PRICE_OVERRIDES`'s.
 * @throws PriceOverridesError naming every invalid field.
 */
export function setPrices(overrides: PriceOverrides): void {
  getRuntime().priceBook = createPriceBook({ overrides: parsePriceOverrides(overrides, "setPrices()") });
}

/** Changes local guard settings at run time, e.g. `configure({ maxCostPerTrace: 2 })`. */
export function configure(config: Partial<GuardConfig>): void {
  getRuntime().guard.configure(config);
}
