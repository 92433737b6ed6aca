import type { RunKind } from "./events.js";

/** Longest cycle period the step ring can hold; `cycleMaxPeriod` is capped below it. */
export const MAX_CYCLE_PERIOD = 12;
/** Steps kept: enough to compare a new step with the one `MAX_CYCLE_PERIOD` back and read a whole block. */
export const STEP_RING = 16;
/** Tool results kept for D4; `noProgressWindow` is capped at this. */
export const RESULT_RING = 32;
/** Tool-call steps learned to be polling (followed by an allowlisted tool). */
export const POLL_SLOTS = 4;
/** Buckets in the burn-rate window: a 60 s window is 12 buckets of 5 s. */
export const BURN_BUCKETS = 12;

/** Layout of `RunState.ints`, one typed array so that a run costs one allocation, not five. */
export const OFFSET = {
  steps: 0,
  /** match[p]: how many tail steps equal the step p places earlier, for p = 1..MAX_CYCLE_PERIOD. */
  match: STEP_RING,
  results: STEP_RING + 16,
  polling: STEP_RING + 16 + RESULT_RING,
  end: STEP_RING + 16 + RESULT_RING + POLL_SLOTS,
} as const;

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
 * the last few steps as hashes, and the findings already emitted. It is bounded whatever the
 * run's length, at roughly 1 KB, so 100k concurrent runs stay near 100 MB.
 */
export class RunState {
  readonly kind: RunKind;
  readonly id: string;
  /** The engine's key for this run, see `runKey`. */
  readonly key: string;

  /** Event time of the first and latest events, in ms. */
  firstMs: number;
  lastMs: number;
  llmCalls = 0;
  tokens = 0;
  /** Exact total cost in pico-dollars. */
  costPico = 0n;

  /** Step ring (D2), match counters, result ring (D4) and learned polling steps; see OFFSET. */
  readonly ints = new Int32Array(OFFSET.end);
  stepCount = 0;
  resultCount = 0;
  pollingCount = 0;

  /** D1: the last LLM step that requested tools, and how many times in a row it came. */
  lastToolCalls = 0;
  toolCallsStreak = 0;
  /** D1: the last prompt, and how many times in a row it came. */
  lastPrompt = 0;
  promptStreak = 0;
  /** The latest LLM step that requested tools, so a following polling tool can mark it. */
  pendingToolCalls = 0;

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

  /** True when this step was learned to be a polling call (its tool is on the allowlist). */
  isPolling(step: number): boolean {
    const slots = Math.min(this.pollingCount, POLL_SLOTS);
    for (let i = 0; i < slots; i++) if (this.ints[OFFSET.polling + i] === step) return true;
    return false;
  }

  markPolling(step: number): void {
    if (step === 0 || this.isPolling(step)) return;
    this.ints[OFFSET.polling + (this.pollingCount % POLL_SLOTS)] = step;
    this.pollingCount++;
  }

  /** The step `back` places before the newest (0 = newest). Callers keep `back` < min(stepCount, STEP_RING). */
  stepAt(back: number): number {
    return this.ints[OFFSET.steps + ((this.stepCount - 1 - back) & (STEP_RING - 1))]!;
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
