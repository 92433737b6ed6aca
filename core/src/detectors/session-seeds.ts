import type { Usd } from "../pricing/money.js";
import type { RunState } from "./run-state.js";

/**
 * A session that a budget watches, seen by the engine for the first time: since a restart, or
 * again after it idled past the run TTL and was dropped. What it spent before is not in the
 * engine; the caller reads it from storage and hands it to `DetectionEngine.seedSession`.
 */
export interface SessionSeedRequest {
  readonly projectId: string;
  readonly sessionId: string;
  /**
   * The time of the first event the engine saw of this session, in ms (whole ms, rounded
   * down): the engine counts the calls that started from then on, storage those before.
   */
  readonly beforeMs: number;
}

/**
 * The earlier spend of the session runs that a budget watches: asked for once per run (a
 * session dropped and seen again is a new run, and asks again), added to the run's own total
 * when it comes. Everything is held weakly by the run, so a dropped run takes its seed with it.
 */
export class SessionSeeds {
  #listener: ((request: SessionSeedRequest) => void) | undefined;
  readonly #asked = new WeakSet<RunState>();
  readonly #pending = new WeakMap<SessionSeedRequest, RunState>();
  readonly #seeded = new WeakMap<RunState, Usd>();

  /** Sets who is asked; nobody is until then, so an engine without storage never asks. */
  listen(listener: (request: SessionSeedRequest) => void): void {
    this.#listener = listener;
  }

  /** Asks for a session run's earlier spend, the first time a budget applies to it. */
  want(run: RunState, projectId: string): void {
    const listener = this.#listener;
    if (!listener || run.kind !== "session" || this.#asked.has(run)) return;
    this.#asked.add(run);
    const request: SessionSeedRequest = Object.freeze({
      projectId,
      sessionId: run.id,
      beforeMs: Math.floor(run.firstMs),
    });
    this.#pending.set(request, run);
    try {
      listener(request);
    } catch {
      // Detection goes on whatever the listener does; the session is then counted from now.
      this.#pending.delete(request);
    }
  }

  /** The run a request was made for, the first time it is answered; undefined after that. */
  take(request: SessionSeedRequest): RunState | undefined {
    const run = this.#pending.get(request);
    this.#pending.delete(request);
    return run;
  }

  add(run: RunState, pico: Usd): void {
    this.#seeded.set(run, this.spent(run) + pico);
  }

  /** The spend loaded for the run (0 until its seed comes). */
  spent(run: RunState): Usd {
    return this.#seeded.get(run) ?? 0n;
  }
}
