import { createPriceBook, type PriceOverrides, parsePriceOverrides } from "@burnrate/core";
import { context, trace } from "@opentelemetry/api";
import { currentAttribution } from "./attribution.js";
import type { GuardConfig } from "./guard-config.js";
import { getRuntime } from "./runtime.js";

/** What the current run has spent and has left. `remaining*` is undefined where no limit is set. */
export interface BudgetStatus {
  scope: { trace?: string; session?: string };
  spentUsd: number;
  remainingUsd: number | undefined;
  calls: number;
  remainingCalls: number | undefined;
  tokens: number;
  remainingTokens: number | undefined;
}

/**
 * The budget of the current session when attribution names one, else of the current trace,
 * so an agent can see what it has left and plan accordingly.
 */
export function budget(): BudgetStatus {
  const { guard } = getRuntime();
  const session = currentAttribution().session;
  const traceId = trace.getSpan(context.active())?.spanContext().traceId;
  const kind = session ? "session" : "trace";
  const id = session ?? traceId;
  const usage = id ? guard.usage(kind, id) : undefined;
  const c: GuardConfig = guard.config;
  const limits =
    kind === "session"
      ? { cost: c.maxCostPerSession, calls: c.maxCallsPerSession, tokens: c.maxTokensPerSession }
      : { cost: c.maxCostPerTrace, calls: c.maxCallsPerTrace, tokens: c.maxTokensPerTrace };
  const spent = { cost: usage?.costUsd ?? 0, calls: usage?.calls ?? 0, tokens: usage?.tokens ?? 0 };
  // Rounded to a nano-dollar so float noise (0.0045000000000000005) does not show.
  const left = (limit: number | undefined, used: number) =>
    limit === undefined ? undefined : Math.max(0, Number((limit - used).toFixed(9)));
  return {
    scope: id ? { [kind]: id } : {},
    spentUsd: spent.cost,
    remainingUsd: left(limits.cost, spent.cost),
    calls: spent.calls,
    remainingCalls: left(limits.calls, spent.calls),
    tokens: spent.tokens,
    remainingTokens: left(limits.tokens, spent.tokens),
  };
}

/**
 * One line for a system prompt, e.g. "Budget: $0.4200 spent, $1.58 left; 12 calls made, 38 left."
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

/** Cents hide what small agents spend, so amounts under a dollar keep four decimals. */
function usd(amount: number): string {
  return `$${amount.toFixed(amount >= 1 ? 2 : 4)}`;
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
