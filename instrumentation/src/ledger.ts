/** What one trace or session has used so far, and its recent steps for loop detection. */
export interface RunUsage {
  calls: number;
  tokens: number;
  costUsd: number;
  /** The fingerprint of each step (requested tool calls, or the prompt), newest last. */
  steps: string[];
  touchedAt: number;
}

const MAX_STEPS = 64;

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

  record(key: string, call: { tokens: number; costUsd: number; step: string }): RunUsage {
    const run = this.#runs.get(key) ?? { calls: 0, tokens: 0, costUsd: 0, steps: [], touchedAt: 0 };
    this.#runs.delete(key); // re-insert to mark as most recently used
    run.calls += 1;
    run.tokens += call.tokens;
    run.costUsd += call.costUsd;
    run.steps.push(call.step);
    if (run.steps.length > MAX_STEPS) run.steps.splice(0, run.steps.length - MAX_STEPS);
    run.touchedAt = Date.now();
    this.#runs.set(key, run);
    if (this.#runs.size > this.maxRuns) this.#runs.delete(this.#runs.keys().next().value!);
    return run;
  }

  clear(): void {
    this.#runs.clear();
  }
}
