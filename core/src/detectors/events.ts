import type { DecisionAction, DecisionScope } from "../decision.js";

/** One observed step, in arrival order: an LLM call or a tool execution span. */
export interface DetectorEvent {
  kind: "llm_call" | "tool";
  projectId: string;
  traceId: string;
  spanId: string;
  /** Empty when the call belongs to no session; a session is a run across traces. */
  sessionId: string;
  service: string;
  agent: string;
  feature: string;
  user: string;
  tenant: string;
  /** Span start. Detectors take all their time from here, never from a clock. */
  timeUnixNano: bigint;
  /**
   * llm_call: the span's end, when known. With the start it tells identical calls sent side
   * by side (best-of-n, a fan-out) from a loop's consecutive steps (see `joinsRound`).
   */
  endUnixNano?: bigint;
  /** Exact decimal dollars (`"0"` when unpriced); tool events are `"0"`. */
  costUsd: string;
  /** Input plus output tokens. */
  tokens: number;
  /**
   * llm_call: true when the call failed (span status error), e.g. refused with a 429 or a 400.
   * A call that requested no tool and failed or reported no tokens billed nothing, so it is
   * not a loop step (see `LlmSteps.refused`).
   */
  failed?: boolean;
  /** llm_call: a hash of the prompt; `""` for tools. */
  promptFingerprint: string;
  /** llm_call: the tool calls the model requested (name + canonical arguments, hashed). */
  toolCallFingerprints: string[];
  /** Tool events: the tool that ran. */
  toolName?: string;
  /** Tool events: `burnrate.tool.result_digest`, a hash of the result. */
  toolResultDigest?: string;
  /** Optional 64-bit SimHash (16 hex digits) of the message content, when content capture is on. */
  contentSimHash?: string;
}

/**
 * What a detector concluded about a run or a budget scope. The collector turns a finding
 * into a `Decision`; the finding belongs to the project of the event that produced it.
 */
export interface Finding {
  /** e.g. `D1.identical_call`, `D5.burn_rate`, `budget`. */
  detector: string;
  action: DecisionAction;
  /** `{ trace_id }` or `{ session_id }` for a run; `{ user }`, `{ feature }` or `{ tenant }` for a budget. */
  scope: DecisionScope;
  /** One sentence a human reads, with the numbers. */
  reason: string;
  /** The measured values and the detector's parameters (thresholds, windows), snake_case. */
  evidence: Record<string, unknown>;
  /**
   * Stable identity of the situation: the same key is never emitted twice while its run or
   * budget period is tracked, e.g. `D1.identical_call:kill:trace:4bf92f35…@1741942800000`. A
   * run's keys carry its first event's time, so a run that was dropped and comes back gets new
   * ones (see `runFindingKey`). Keys are unique within a project; pair them with the event's
   * `projectId` for a global idempotency key.
   */
  key: string;
  /**
   * When the situation itself ends, in ms, if it says: a budget's kill holds until its day or
   * month is over. Otherwise the decision lasts the collector's time for its action.
   */
  untilMs?: number;
}

/** The two kinds of run: a trace, and a session that spans traces. */
export type RunKind = "trace" | "session";

/** Names of the detectors, as they appear in `Finding.detector`. */
export const DETECTOR = {
  identicalCall: "D1.identical_call",
  cycle: "D2.cycle",
  pingPong: "D3.ping_pong",
  noProgress: "D4.no_progress",
  burnRate: "D5.burn_rate",
  runCost: "D5.run_cost",
  stepCost: "D5.step_cost",
  projection: "D5.projection",
  liveness: "D6.liveness",
  budget: "budget",
} as const;
