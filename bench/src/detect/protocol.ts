/**
 * Messages between `npm run bench -- detect` and its two probes: the looping app
 * (`looping-app.ts`) and the arrival probe preloaded into the collector (`arrival-probe.ts`).
 * Times are `process.hrtime.bigint()` values: CLOCK_MONOTONIC, which on Linux is one clock for
 * every process on the machine, so the collector's and the app's readings can be subtracted.
 */

/** Headers on each of the app's LLM calls, so the mock can tell which trial and call sent it. */
export const TRIAL_HEADER = "x-bench-trial";
export const CALL_HEADER = "x-bench-call";

/** Parent → app: run one trial (a fresh trace and session calling the same prompt until killed). */
export interface TrialCommand {
  type: "trial";
  trial: number;
  /** Calls at most, should the collector never kill the trace. */
  maxCalls: number;
}

/** A kill decision the app's kill list took in, as seen by an `onKill` handler. */
export interface KillSeen {
  /** hrtime when `onKill` ran: the kill list holds the decision by then. */
  at: bigint;
  decisionId: string;
  detector: string;
  scope: "trace" | "session";
  /** D1's `repeats`: how many identical calls the collector had seen when it decided. */
  repeats: number | undefined;
}

/** App → parent: one trial's outcome. */
export interface TrialResult {
  type: "trial";
  trial: number;
  traceId: string;
  sessionId: string;
  /** The calls that were sent (answered or failed), in order; `call` numbers from 1. */
  calls: { call: number; startedAt: bigint; endedAt: bigint }[];
  /** The call that threw BurnrateStopError before it was sent, if any. */
  stoppedAtCall: number | undefined;
  kills: KillSeen[];
  error: string | undefined;
}

/** Parent → app: report the event-loop delay since the last stats command. */
export interface StatsCommand {
  type: "stats";
}

export type AppReply =
  | TrialResult
  | { type: "ready"; pid: number }
  | { type: "stats"; loopDelay: LoopDelay }
  | { type: "error"; message: string };

/** Parent → arrival probe: hand over what was recorded since the last take, and forget it. */
export interface TakeCommand {
  type: "take";
}

/** One POST /v1/traces the collector received. */
export interface TracesArrival {
  /** hrtime when the collector's HTTP server emitted the request (headers parsed). */
  at: bigint;
  /** hrtime when the last byte of the body had been read (0n if it never ended). */
  bodyEndAt: bigint;
  /** hrtime when the answer had been handed to the socket (0n if not yet): after the spool's fsync. */
  answeredAt: bigint;
  contentEncoding: string;
  body: Uint8Array;
}

/** One decision the collector wrote to a GET /v1/decisions/stream response. */
export interface DecisionWrite {
  /** hrtime just before `res.write`. */
  at: bigint;
  decisionId: string;
}

/** Event-loop delay percentiles of a process since the last take, in ms. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface ProbeRecords {
  type: "taken";
  arrivals: TracesArrival[];
  writes: DecisionWrite[];
  /** The collector's event-loop delay since the last take. */
  loopDelay: LoopDelay;
  /** Records dropped because the probe's buffers were full. */
  dropped: number;
}
