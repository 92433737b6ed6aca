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
  /**
   * The calls of this session the engine has counted live although they started before
   * `beforeMs` (a long stream that ended after a later call began), as `traceId/spanId`;
   * storage must leave them out, or they count twice. It grows until the seed is taken, so read
   * it when the query starts, and again when it answers: if it grew meanwhile, ask again. Past
   * `MAX_COUNTED_LIVE` entries the seed is refused (the session counts from when it was seen).
   */
  readonly countedLive: ReadonlySet<string>;
}

/** How many out-of-order live calls a pending seed remembers before it gives up. */
export const MAX_COUNTED_LIVE = 1_000;

/** The key `countedLive` holds for a call. */
export function callKey(traceId: string, spanId: string): string {
  return `${traceId}/${spanId}`;
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
  /** The live set of each run whose seed is still to come. */
  readonly #live = new WeakMap<RunState, { beforeNs: bigint; keys: Set<string> }>();
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
    const keys = new Set<string>();
    const beforeMs = Math.floor(run.firstMs);
    const request: SessionSeedRequest = Object.freeze({
      projectId,
      sessionId: run.id,
      beforeMs,
      countedLive: keys,
    });
    this.#pending.set(request, run);
    this.#live.set(run, { beforeNs: BigInt(beforeMs) * 1_000_000n, keys });
    try {
      listener(request);
    } catch {
      // Detection goes on whatever the listener does; the session is then counted from now.
      this.#pending.delete(request);
      this.#live.delete(run);
    }
  }

  /**
   * Notes a call counted live in a session run whose seed is still to come, when storage would
   * count it too: it started before `beforeMs` (compared in ns, as storage compares it).
   */
  counted(run: RunState, traceId: string, spanId: string, startUnixNano: bigint): void {
    const live = this.#live.get(run);
    // One past the bound is enough to refuse the seed (see `take`); no more is kept.
    if (!live || startUnixNano >= live.beforeNs || live.keys.size > MAX_COUNTED_LIVE) return;
    live.keys.add(callKey(traceId, spanId));
  }

  /** The run a request was made for, the first time it is answered; undefined after that. */
  take(request: SessionSeedRequest): RunState | undefined {
    const run = this.#pending.get(request);
    this.#pending.delete(request);
    if (run) this.#live.delete(run);
    // Too many calls to leave out: the seed is not trusted, and the session counts from when seen.
    if (request.countedLive.size > MAX_COUNTED_LIVE) return undefined;
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
