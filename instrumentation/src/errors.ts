/** What a guard stopped: the scope it watched, how much was spent, and the limit. */
export interface StopDetails {
  /** e.g. `{ trace: "4bf9…" }` or `{ session: "s-1" }`. */
  scope: Record<string, string>;
  /**
   * What was measured: `cost_usd`, `calls`, `tokens`, `identical_calls`, `cycle_repeats` (the
   * local guard and the collector), and for a collector's kill also `ping_pong_rounds`,
   * `same_results`, `usd_per_minute` and `age_seconds` (see kill-switch/stop-error.ts).
   */
  measure: string;
  spent: number;
  limit: number;
  hint: string;
  /** The collector's decision, when one caused the stop. */
  decision?: unknown;
}

/** Thrown before an LLM request is sent, so the call that would break a limit is never billed. */
export abstract class BurnrateStopError extends Error {
  readonly scope: Record<string, string>;
  readonly measure: string;
  readonly spent: number;
  readonly limit: number;
  readonly hint: string;
  readonly decision: unknown;

  constructor(message: string, details: StopDetails) {
    // Detectors' reasons are sentences; the hint goes on after the last one's full stop.
    super(`${message.replace(/\.$/, "")}; ${details.hint}`);
    this.scope = details.scope;
    this.measure = details.measure;
    this.spent = details.spent;
    this.limit = details.limit;
    this.hint = details.hint;
    this.decision = details.decision;
  }
}

/**
 * A trace, session, user or feature spent its budget.
 * @example "BudgetExceededError: trace 4bf9… spent $2.03 of its $2.00 budget; raise BURNRATE_MAX_COST_PER_TRACE or …"
 */
export class BudgetExceededError extends BurnrateStopError {
  override name = "BudgetExceededError";
}

/** The agent is repeating itself: the same call again and again, or a cycle of calls. */
export class RunawayLoopError extends BurnrateStopError {
  override name = "RunawayLoopError";
}
