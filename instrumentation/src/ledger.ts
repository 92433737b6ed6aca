import type { StopDetails } from "./errors.js";

/** What one trace or session has used so far, and the loop stop it earned, if any. */
export interface RunUsage {
  calls: number;
  tokens: number;
  /** The sum of `costNanos`, in dollars. */
  costUsd: number;
  /**
   * The spend in whole nano-dollars: summing the calls' float dollars drifts (ten $0.10 calls
   * make $0.9999999999999999, which lets an eleventh past a $1 limit), whole numbers do not.
   */
  costNanos: number;
  /** Set once loop detection has killed the run: every later call in it is refused. */
  loopStop?: LoopStop;
}

/** A loop detector's kill, kept as the error the run's next call throws. */
export interface LoopStop extends StopDetails {
  message: string;
}

/**
 * Usage per run (trace or session), kept in memory with a bound on runs: the least
 * recently used run is forgotten first, so a long-lived process cannot grow without limit.
 */
export class Ledger {
  readonly #runs = new Map<string, RunUsage>();
  constructor(private readonly maxRuns = 10_000) {}

  get(key: string): RunUsage | undefined {
    return this.#runs.get(key);
  }

  record(key: string, call: { tokens: number; costUsd: number }): RunUsage {
    const run = this.#touch(key);
    run.calls += 1;
    run.tokens += call.tokens;
    run.costNanos += Math.round(call.costUsd * 1e9);
    run.costUsd = run.costNanos / 1e9;
    return run;
  }

  /** Marks the run as stopped by loop detection; the first stop is kept. */
  stop(key: string, stop: LoopStop): void {
    this.#touch(key).loopStop ??= stop;
  }

  /** Lifts every loop stop, keeping what the runs used. */
  clearLoopStops(): void {
    for (const run of this.#runs.values()) run.loopStop = undefined;
  }

  clear(): void {
    this.#runs.clear();
  }

  /** The run, created if new, moved to most recently used. */
  #touch(key: string): RunUsage {
    const run = this.#runs.get(key) ?? { calls: 0, tokens: 0, costUsd: 0, costNanos: 0 };
    this.#runs.delete(key); // re-insert to mark as most recently used
    this.#runs.set(key, run);
    if (this.#runs.size > this.maxRuns) this.#runs.delete(this.#runs.keys().next().value!);
    return run;
  }
}
