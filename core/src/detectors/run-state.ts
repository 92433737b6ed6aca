import type { RunKind } from "./events.js";
import { LoopState, switchLoop } from "./loop-state.js";

/** Buckets in the burn-rate window: a 60 s window is 12 buckets of 5 s. */
export const BURN_BUCKETS = 12;

/** One turn of one agent in a conversation between agents (D3): consecutive steps by that agent. */
export interface Turn {
  agent: string;
  /** Hash of the turn's steps in order. */
  signature: number;
  simHigh: number;
  simLow: number;
  hasSim: boolean;
}

/** Index of the running window total in `RunState.money`, after the buckets. */
export const WINDOW_TOTAL = BURN_BUCKETS;

/**
 * What the engine remembers about one run (a trace, or a session across traces): counters,
 * the last few steps of each agent as hashes, and the findings already emitted. It is bounded
 * whatever the run's length: roughly 1 KB for a run of one agent, plus about 350 bytes for
 * each other agent up to `MAX_AGENT_LOOPS`, so 100k concurrent runs stay near 100 MB when most
 * runs have one or two agents, and under 400 MB if every run had eight.
 */
export class RunState {
  readonly kind: RunKind;
  readonly id: string;
  /** The engine's key for this run, see `runKey`. */
  readonly key: string;

  /**
   * Event time of the run's first event, in ms. It also tells this incarnation of the run from
   * an earlier one with the same id that was dropped (idle past the TTL, or evicted), so a new
   * incarnation's findings get keys of their own (see `runFindingKey`).
   */
  readonly firstMs: number;
  /** Event time of the latest event, in ms. */
  lastMs: number;
  llmCalls = 0;
  tokens = 0;
  /** Exact total cost in pico-dollars. */
  costPico = 0n;

  /** D1, D2 and D4 state of the agent seen last (see `LoopState`); made on the first event. */
  loop: LoopState | undefined;
  /** The other agents' loop state, most recently seen first; made when a second agent appears. */
  otherLoops: LoopState[] | undefined;
  /** The agent of the run's latest LLM call: a tool span with no agent is taken as that call's execution. */
  llmAgent = "";

  /** D3: the turn in progress and the two before it. */
  turn: Turn | undefined;
  previousTurn: Turn | undefined;
  turnBefore: Turn | undefined;
  /** D3: closed turns in a row that repeat the same agent's turn before last. */
  pingPongStreak = 0;

  /** D5: bucket width (fixed at the run's first event) and the newest bucket's number. */
  bucketMs = 0;
  newestBucket = -1;
  /** D5: pico-dollars per bucket plus the window total at WINDOW_TOTAL; made on the first priced step. */
  money: BigInt64Array | undefined;

  /** Keys of the findings already emitted for this run. Made on the first finding. */
  fired: Set<string> | undefined;
  killed = false;
  /** Event time of the run's latest kill, and how many kills renewed it since the first. */
  killedAtMs = 0;
  renewedKills = 0;

  /** Neighbours in the engine's recency list (see RunTable). */
  older: RunState | undefined;
  newer: RunState | undefined;

  constructor(kind: RunKind, id: string, key: string, ms: number) {
    this.kind = kind;
    this.id = id;
    this.key = key;
    this.firstMs = ms;
    this.lastMs = ms;
  }

  /** The loop state of `agent` in this run (`""` for events without an agent). */
  loopOf(agent: string): LoopState {
    const loop = this.loop;
    if (loop?.agent === agent) return loop;
    if (loop) {
      this.otherLoops ??= [];
      this.loop = switchLoop(loop, this.otherLoops, agent);
    } else {
      this.loop = new LoopState(agent);
    }
    return this.loop;
  }

  /** How many agents' loop state the run holds. */
  get loopCount(): number {
    return (this.loop ? 1 : 0) + (this.otherLoops?.length ?? 0);
  }
}

/**
 * The engine's key for a run: `trace:<projectId>:<traceId>` or `session:<projectId>:<sessionId>`.
 * Pass it to `DetectionEngine.forget`.
 * @example runKey("trace", "proj_1", "4bf92f3577b34da6a3ce929d0e0e4736")
 */
export function runKey(kind: RunKind, projectId: string, id: string): string {
  return `${kind}:${projectId}:${id}`;
}
