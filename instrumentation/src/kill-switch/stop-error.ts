import { DETECTOR, type Decision } from "@burnrate/core";
import { BudgetExceededError, type BurnrateStopError, RunawayLoopError } from "../errors.js";

/** What a kill measured, in the terms of the local guards' errors. */
interface Measured {
  measure: string;
  spent: unknown;
  limit: unknown;
}

type Evidence = Record<string, unknown>;

/**
 * Where each detector's evidence (see `@burnrate/core`'s detectors) keeps the amount it
 * measured and the limit that amount broke. Only detectors that can kill are here: a stop
 * comes from a kill. Dollar amounts are exact decimal strings in evidence, read as numbers.
 */
const MEASURED = new Map<string, (evidence: Evidence) => Measured>([
  [DETECTOR.identicalCall, (e) => ({ measure: "identical_calls", spent: e.repeats, limit: e.kill_at })],
  [DETECTOR.cycle, (e) => ({ measure: "cycle_repeats", spent: e.repetitions, limit: e.kill_at })],
  [DETECTOR.pingPong, (e) => ({ measure: "ping_pong_rounds", spent: e.rounds, limit: e.kill_rounds })],
  [DETECTOR.noProgress, (e) => ({ measure: "same_results", spent: e.occurrences, limit: e.kill_at })],
  [
    DETECTOR.burnRate,
    (e) => ({ measure: "usd_per_minute", spent: e.rate_usd_per_minute, limit: e.max_usd_per_minute }),
  ],
  [DETECTOR.runCost, (e) => ({ measure: "cost_usd", spent: e.run_cost_usd, limit: e.run_max_usd })],
  [
    DETECTOR.liveness,
    (e) =>
      e.limit === "age"
        ? { measure: "age_seconds", spent: e.age_seconds, limit: e.max_age_seconds }
        : { measure: "calls", spent: e.llm_calls, limit: e.max_calls },
  ],
  [DETECTOR.budget, (e) => ({ measure: "cost_usd", spent: e.spent_usd, limit: e.limit_usd })],
]);

/**
 * The typed error a call in the scope of a collector's kill throws. A detector this version
 * does not know (a newer collector's) is named as the measure, with NaN amounts rather than
 * a made-up 0; its evidence is on the error's `decision`.
 */
export function stopError(decision: Decision): BurnrateStopError {
  const scope = Object.fromEntries(
    Object.entries(decision.scope).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  const read = MEASURED.get(decision.detector);
  const measured = read
    ? read(decision.evidence)
    : { measure: decision.detector, spent: undefined, limit: undefined };
  const details = {
    scope,
    measure: measured.measure,
    spent: amount(measured.spent),
    limit: amount(measured.limit),
    hint: `the collector stopped this scope (decision ${decision.decision_id}); see GET /v1/incidents/${decision.decision_id}`,
    decision,
  };
  return isSpendingLimit(decision.detector)
    ? new BudgetExceededError(decision.reason, details)
    : new RunawayLoopError(decision.reason, details);
}

/**
 * A budget, or a run's own dollar cap (D5 run cost): a limit on what was spent, as the local
 * guard's `maxCostPerTrace` is, so it stops with `BudgetExceededError`. The rest (loops, burn
 * rate, liveness) are a run out of control, `RunawayLoopError`.
 */
function isSpendingLimit(detector: string): boolean {
  return detector.startsWith(DETECTOR.budget) || detector === DETECTOR.runCost;
}

/** A count, a rate or a decimal dollar string as a number; NaN when the evidence lacks it. */
function amount(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  return Number.NaN;
}
