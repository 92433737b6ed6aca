import { DETECTOR, type DetectionEngine, type DetectorEvent, type Finding } from "@burnrate/core";
import { type Context, trace } from "@opentelemetry/api";
import { attributionOf } from "./attribution.js";
import { BudgetExceededError, RunawayLoopError } from "./errors.js";
import { type GuardConfig, parseGuardConfig } from "./guard-config.js";
import { Ledger, type RunUsage, usdApart } from "./ledger.js";
import { LOOP_STOP_SECONDS, loopDetection } from "./loop-detection.js";
import { wallClockOffsetMs } from "./wall-clock.js";

/** The runs a call belongs to: its trace, and its session when attribution names one. */
export interface RunScope {
  traceId?: string;
  session?: string;
  /** The agent making the call: loop detection keeps each agent's steps apart, as the collector does. */
  agent?: string;
}

/** The runs a call made in `ctx` belongs to (the trace of its parent span, and its session), and its agent. */
export function runScopeOf(ctx: Context, session?: string): RunScope {
  const attribution = attributionOf(ctx);
  return {
    traceId: trace.getSpan(ctx)?.spanContext().traceId,
    session: session ?? attribution.session,
    agent: attribution.agent,
  };
}

/** A finished LLM call, as the guard counts it and loop detection compares it. */
export interface GuardCall {
  tokens: number;
  costUsd: number;
  spanId: string;
  /** Empty when the prompt could not be fingerprinted. */
  promptFingerprint: string;
  /** The tool calls the model requested, fingerprinted. */
  toolCallFingerprints: string[];
  /**
   * True when the call ended in an error. Loop detection does not count a call that requested
   * no tool and failed or reported no tokens (nothing was billed), as the collector does not.
   */
  failed?: boolean;
  /**
   * When the call started and ended, as `performance.now()` readings: identical calls sent side
   * by side (best-of-n) are one step to loop detection, as they are to the collector.
   */
  startedAt: number;
  endedAt: number;
}

/** A finished tool execution (`toolSpan`), as the collector sees its span. */
export interface GuardTool {
  name: string;
  spanId: string;
  resultDigest?: string;
}

/** What a step tells loop detection; the guard fills in the rest of the event. */
type LoopStep = Pick<
  DetectorEvent,
  | "kind"
  | "timeUnixNano"
  | "endUnixNano"
  | "spanId"
  | "tokens"
  | "failed"
  | "promptFingerprint"
  | "toolCallFingerprints"
  | "toolName"
  | "toolResultDigest"
>;

/**
 * Runs held at most, of each kind: the ledger keeps traces and sessions in tables of their own,
 * so a churn of short traces never makes a session forget what it spent. The least recently
 * used go first.
 */
const MAX_RUNS = 10_000;

/**
 * Local guards: limits per trace and per session on calls, tokens and cost, and the
 * identical-call (D1) and cycle (D2) detectors of `@burnrate/core`, the same code the
 * collector runs. They need no collector. A breach throws a typed error before the next
 * request is sent, so the call that would break a limit is never billed.
 */
export class Guard {
  #config: GuardConfig;
  readonly #traces = new Ledger(MAX_RUNS);
  readonly #sessions = new Ledger(MAX_RUNS);
  #loops: DetectionEngine | undefined;

  constructor(config: Partial<GuardConfig> = {}) {
    this.#config = parseGuardConfig(config, "guard settings");
    this.#loops = loopDetection(this.#config, MAX_RUNS);
  }

  get config(): GuardConfig {
    return this.#config;
  }

  /** Whether a cost limit is on, so a call without a price weakens it. */
  get limitsCost(): boolean {
    const c = this.#config;
    return c.enabled && (c.maxCostPerTrace !== undefined || c.maxCostPerSession !== undefined);
  }

  configure(config: Partial<GuardConfig>): void {
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
      const got = config === null ? "null" : Array.isArray(config) ? "an array" : typeof config;
      throw new TypeError(`configure: expected an object of guard settings, got ${got}`);
    }
    const next = parseGuardConfig({ ...this.#config, ...config }, "configure");
    const loopsChanged =
      next.identicalCalls !== this.#config.identicalCalls ||
      next.cycleRepeats !== this.#config.cycleRepeats ||
      next.loopAllowlist.join("\u0000") !== this.#config.loopAllowlist.join("\u0000");
    this.#config = next;
    // New thresholds start loop detection afresh, lifting the stops the old ones made (the
    // stop's hint tells the user to raise them); the limits' counts are kept.
    if (loopsChanged) {
      this.#loops = loopDetection(next, MAX_RUNS);
      this.#traces.clearLoopStops();
      this.#sessions.clearLoopStops();
    }
  }

  /**
   * Lets a call in `scope` go, counting it in its runs at once, so calls in flight count
   * against the call limits (five calls started together under a limit of two: three are
   * refused). Throws BudgetExceededError or RunawayLoopError, counting nothing, if a run may not
   * make another call. Tokens and cost are added when the call finishes (`record`).
   */
  admit(scope: RunScope): void {
    const { traceId, session } = scope;
    if (!traceId && !session) return;
    const c = this.#config;
    if (c.enabled) {
      if (traceId) {
        this.#checkRun("trace", traceId, c.maxCallsPerTrace, c.maxTokensPerTrace, c.maxCostPerTrace, "TRACE");
      }
      if (session) {
        this.#checkRun(
          "session",
          session,
          c.maxCallsPerSession,
          c.maxTokensPerSession,
          c.maxCostPerSession,
          "SESSION",
        );
      }
    }
    if (traceId) this.#traces.reserve(traceId);
    if (session) this.#sessions.reserve(session);
  }

  /** Takes back what `admit` counted for a call that was never sent. */
  release(scope: RunScope): void {
    if (scope.traceId) this.#traces.release(scope.traceId);
    if (scope.session) this.#sessions.release(scope.session);
  }

  /** Adds a finished call's tokens and cost to its runs and shows it to loop detection. */
  record(scope: RunScope, call: GuardCall): void {
    this.recordUsage(scope, call);
    this.recordStep(scope, call);
  }

  /** Adds a finished call's tokens and cost to its runs (the call itself was counted by `admit`). */
  recordUsage(scope: RunScope, usage: { tokens: number; costUsd: number }): void {
    if (scope.traceId) this.#traces.add(scope.traceId, usage);
    if (scope.session) this.#sessions.add(scope.session, usage);
  }

  /**
   * Shows a call to loop detection. A stream without usage is shown when it ends, before its
   * usage is estimated, and its tokens and cost are added after (`recordUsage`); `tokens` then
   * need only be nonzero when the estimate will be, which is all loop detection asks of it.
   */
  recordStep(scope: RunScope, call: Omit<GuardCall, "costUsd">): void {
    // On the wall clock, as tool steps are: the monotonic clock stops while the host sleeps, and
    // a run timed by it would look idle for hours next to runs timed by the wall clock.
    const offsetMs = wallClockOffsetMs();
    this.#observe(scope, {
      kind: "llm_call",
      timeUnixNano: unixNano(offsetMs + call.startedAt),
      endUnixNano: unixNano(offsetMs + call.endedAt),
      spanId: call.spanId,
      tokens: call.tokens,
      failed: call.failed,
      promptFingerprint: call.promptFingerprint,
      toolCallFingerprints: call.toolCallFingerprints,
    });
  }

  /**
   * Shows a finished tool execution to loop detection. It is not a cycle step (the call that
   * asked for it is), but an allowlisted tool marks that call as polling, as in the collector.
   */
  recordTool(scope: RunScope, tool: GuardTool): void {
    this.#observe(scope, {
      kind: "tool",
      timeUnixNano: unixNano(Date.now()),
      spanId: tool.spanId,
      tokens: 0,
      promptFingerprint: "",
      toolCallFingerprints: [],
      toolName: tool.name,
      toolResultDigest: tool.resultDigest,
    });
  }

  /** What the run has used, for `budget()`. */
  usage(kind: "trace" | "session", id: string): RunUsage | undefined {
    return this.#runs(kind).get(id);
  }

  reset(): void {
    this.#traces.clear();
    this.#sessions.clear();
    this.#loops = loopDetection(this.#config, MAX_RUNS);
  }

  #observe(scope: RunScope, step: LoopStep): void {
    const loops = this.#loops;
    if (!loops || !this.#config.enabled || (!scope.traceId && !scope.session)) return;
    // Written out field by field: spreading `step` into a literal with more keys after it took
    // V8's slow object-cloning path, 6.6 µs per event against 0.56 for the engine's whole work.
    const findings = loops.observe({
      kind: step.kind,
      projectId: "",
      traceId: scope.traceId ?? "",
      spanId: step.spanId,
      sessionId: scope.session ?? "",
      // Loop state is kept per agent, as in the collector, so sub-agents of one trace that each
      // ask for the same first tool are not one agent repeating itself.
      service: "",
      agent: scope.agent ?? "",
      feature: "",
      user: "",
      tenant: "",
      timeUnixNano: step.timeUnixNano,
      endUnixNano: step.endUnixNano,
      costUsd: "0",
      tokens: step.tokens,
      failed: step.failed,
      promptFingerprint: step.promptFingerprint,
      toolCallFingerprints: step.toolCallFingerprints,
      toolName: step.toolName,
      toolResultDigest: step.toolResultDigest,
    });
    for (const finding of findings) if (finding.action === "kill") this.#stopLoop(finding);
  }

  /** Keeps a loop kill on its run, so every later call in that run is refused. */
  #stopLoop(finding: Finding): void {
    const { trace_id, session_id } = finding.scope;
    const [kind, id] =
      trace_id !== undefined ? (["trace", trace_id] as const) : (["session", session_id!] as const);
    const identical = finding.detector === DETECTOR.identicalCall;
    const evidence = finding.evidence as { repeats?: number; repetitions?: number; kill_at: number };
    this.#runs(kind).stop(id, {
      untilMs: Date.now() + LOOP_STOP_SECONDS * 1000,
      message: finding.reason,
      scope: { [kind]: id },
      measure: identical ? "identical_calls" : "cycle_repeats",
      spent: (identical ? evidence.repeats : evidence.repetitions) ?? 0,
      limit: evidence.kill_at,
      hint: identical
        ? "the agent is looping; raise BURNRATE_LOOP_IDENTICAL_CALLS if this repetition is intended"
        : "the agent is looping; raise BURNRATE_LOOP_CYCLE_REPEATS if this cycle is intended",
    });
  }

  #runs(kind: "trace" | "session"): Ledger {
    return kind === "trace" ? this.#traces : this.#sessions;
  }

  #checkRun(
    kind: "trace" | "session",
    id: string,
    maxCalls: number | undefined,
    maxTokens: number | undefined,
    maxCost: number | undefined,
    envSuffix: string,
  ): void {
    const run = this.#runs(kind).get(id);
    if (!run) return;
    const scope = { [kind]: id };
    const label = `${kind} ${id.length > 12 ? `${id.slice(0, 8)}…` : id}`;
    if (maxCost !== undefined && run.costUsd >= maxCost) {
      const [spent, limit] = usdApart(run.costUsd, maxCost);
      throw new BudgetExceededError(`${label} spent ${spent} of its ${limit} budget`, {
        scope,
        measure: "cost_usd",
        spent: run.costUsd,
        limit: maxCost,
        hint: `raise BURNRATE_MAX_COST_PER_${envSuffix} or configure({ maxCostPer${cap(kind)} })`,
      });
    }
    if (maxCalls !== undefined && run.calls >= maxCalls) {
      const calls = `${run.calls} LLM ${run.calls === 1 ? "call" : "calls"}`;
      throw new BudgetExceededError(`${label} made ${calls}, its limit is ${maxCalls}`, {
        scope,
        measure: "calls",
        spent: run.calls,
        limit: maxCalls,
        hint: `raise BURNRATE_MAX_CALLS_PER_${envSuffix} or configure({ maxCallsPer${cap(kind)} })`,
      });
    }
    if (maxTokens !== undefined && run.tokens >= maxTokens) {
      const tokens = `${run.tokens} ${run.tokens === 1 ? "token" : "tokens"}`;
      throw new BudgetExceededError(`${label} used ${tokens}, its limit is ${maxTokens}`, {
        scope,
        measure: "tokens",
        spent: run.tokens,
        limit: maxTokens,
        hint: `raise BURNRATE_MAX_TOKENS_PER_${envSuffix} or configure({ maxTokensPer${cap(kind)} })`,
      });
    }
    if (run.loopStop && Date.now() < run.loopStop.untilMs) {
      throw new RunawayLoopError(run.loopStop.message, run.loopStop);
    }
  }
}

function cap(kind: string): string {
  return kind[0]!.toUpperCase() + kind.slice(1);
}

/** Unix milliseconds as Unix nanoseconds. */
function unixNano(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}
