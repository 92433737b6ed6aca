import type { RunKind } from "./events.js";
import { RecencyList } from "./recency-list.js";
import { RunState, runKey } from "./run-state.js";

/**
 * The runs the engine holds, with two bounds that keep memory flat under any traffic: at most
 * `maxRuns` runs (the least recently seen goes first), and none idle longer than the TTL in
 * event time.
 */
export class RunTable {
  readonly #runs = new Map<string, RunState>();
  readonly #recency = new RecencyList<RunState>();
  readonly #maxRuns: number;
  readonly #ttlMs: number;

  constructor(maxRuns: number, ttlSeconds: number) {
    this.#maxRuns = maxRuns;
    this.#ttlMs = ttlSeconds * 1000;
  }

  get size(): number {
    return this.#runs.size;
  }

  /** The run, made if new, moved to most recently seen. */
  touch(kind: RunKind, projectId: string, id: string, ms: number): RunState {
    const key = runKey(kind, projectId, id);
    let run = this.#runs.get(key);
    if (run) {
      this.#recency.touch(run, true);
      if (ms > run.lastMs) run.lastMs = ms;
    } else {
      run = new RunState(kind, id, key, ms);
      this.#runs.set(key, run);
      this.#recency.touch(run, false);
    }
    return run;
  }

  /**
   * Drops runs over the count bound, then runs idle past the TTL at `nowMs`. The oldest runs
   * sit at the front, so this stops at the first fresh one: O(evicted) per call.
   */
  evict(nowMs: number): void {
    const cutoff = nowMs - this.#ttlMs;
    let run = this.#recency.oldest;
    while (run && (this.#runs.size > this.#maxRuns || run.lastMs < cutoff)) {
      const next = run.newer;
      this.#remove(run);
      run = next;
    }
  }

  forget(key: string): boolean {
    const run = this.#runs.get(key);
    if (!run) return false;
    this.#remove(run);
    return true;
  }

  values(): IterableIterator<RunState> {
    return this.#recency.values();
  }

  #remove(run: RunState): void {
    this.#recency.remove(run);
    this.#runs.delete(run.key);
  }
}
