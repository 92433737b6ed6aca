import { amountsApart, parseUsd } from "@burnrate/core";
import type { StopDetails } from "./errors.js";

/** What one trace or session has used so far, and the loop stop it earned, if any. */
export interface RunUsage {
  /** Calls sent or being sent: a call counts from the moment the guard lets it go. */
  calls: number;
  /** Tokens of the calls that have finished. */
  tokens: number;
  /** The sum of `costNanos`, in dollars. */
  costUsd: number;
  /**
   * The spend in whole nano-dollars: summing the calls' float dollars drifts (ten $0.10 calls
   * make $0.9999999999999999, which lets an eleventh past a $1 limit), whole numbers do not.
   */
  costNanos: number;
  /** Set once loop detection has killed the run: every later call in it is refused until it lapses. */
  loopStop?: LoopStop;
}

/** A loop detector's kill, kept as the error the run's next calls throw until `untilMs`. */
export interface LoopStop extends StopDetails {
  message: string;
  /** When the stop lapses, in Unix ms. */
  untilMs: number;
}

/**
 * Usage per run of one kind (traces, or sessions), kept in memory with a bound on runs: the
 * least recently used run is forgotten first, so a long-lived process cannot grow without
 * limit. A call is counted in two steps: `reserve` when it is let go, so calls in flight count
 * against the call limits, and `add` with its tokens and cost once it has finished.
 */
export class Ledger {
  readonly #runs = new Map<string, RunUsage>();
  constructor(private readonly maxRuns = 10_000) {}

  get(id: string): RunUsage | undefined {
    return this.#runs.get(id);
  }

  /** Counts a call that is about to be sent. */
  reserve(id: string): void {
    this.#touch(id).calls += 1;
  }

  /** Takes back the reservation of a call that was never sent. */
  release(id: string): void {
    const run = this.#runs.get(id);
    if (run && run.calls > 0) run.calls -= 1;
  }

  /** Adds a finished call's tokens and cost (its call was counted by `reserve`). */
  add(id: string, usage: { tokens: number; costUsd: number }): RunUsage {
    const run = this.#touch(id);
    run.tokens += usage.tokens;
    run.costNanos += Math.round(usage.costUsd * 1e9);
    run.costUsd = run.costNanos / 1e9;
    return run;
  }

  /** Marks the run as stopped by loop detection; a stop in force is kept, one that lapsed is replaced. */
  stop(id: string, stop: LoopStop): void {
    const run = this.#touch(id);
    if (!run.loopStop || run.loopStop.untilMs <= Date.now()) run.loopStop = stop;
  }

  /** Lifts every loop stop, keeping what the runs used. */
  clearLoopStops(): void {
    for (const run of this.#runs.values()) run.loopStop = undefined;
  }

  clear(): void {
    this.#runs.clear();
  }

  /** The run, created if new, moved to most recently used. */
  #touch(id: string): RunUsage {
    const run = this.#runs.get(id) ?? { calls: 0, tokens: 0, costUsd: 0, costNanos: 0 };
    this.#runs.delete(id); // re-insert to mark as most recently used
    this.#runs.set(id, run);
    if (this.#runs.size > this.maxRuns) this.#runs.delete(this.#runs.keys().next().value!);
    return run;
  }
}

/**
 * A dollar amount as the guard shows it: cents hide what small agents spend, so amounts under
 * a dollar keep four decimals, and amounts under a hundredth of a cent six.
 * @example usd(0.005) // "$0.0050"
 * @example usd(0.000042) // "$0.000042"
 */
export function usd(amount: number): string {
  return `$${amount.toFixed(amount >= 1 ? 2 : amount >= 0.0001 || amount === 0 ? 4 : 6)}`;
}

/**
 * Two amounts for one sentence (the spend and the limit it reached) as `usd` writes them,
 * told apart when they differ: $10.004 of a $10 budget reads "$10.004 of its $10.000".
 */
export function usdApart(a: number, b: number): [string, string] {
  return amountsApart(parseUsd(a), parseUsd(b), (pico) => usd(Number(pico) / 1e12));
}
