import type { DecisionAction, DecisionScope } from "../decision.js";
import { amountsApart, formatUsd, type Usd } from "../pricing/money.js";
import { DETECTOR, type Finding } from "./events.js";
import type { LoopState } from "./loop-state.js";
import type { RunState } from "./run-state.js";

/** Loop detectors: a session only reports them when the loop is not already its trace's finding. */
const LOOP_DETECTORS: ReadonlySet<string> = new Set([
  DETECTOR.identicalCall,
  DETECTOR.cycle,
  DETECTOR.pingPong,
  DETECTOR.noProgress,
]);

/**
 * Collects one event's findings and keeps each run's findings unique by key.
 *
 * Two rules keep the stream quiet without hiding anything new:
 * - after a run is killed, its warnings and tool blocks stop (a kill supersedes them), while
 *   other detectors' kills still report;
 * - a session run reports a loop only when its trace has not reported the same loop, so
 *   one looping trace yields `trace` findings, and a loop that spans traces yields `session` ones.
 */
export class FindingSink {
  findings: Finding[] = [];
  /** The trace run of the event being observed, for the session rule. */
  traceRun: RunState | undefined;
  /** Incremented per new key, so the engine can estimate the memory the keys hold. */
  firedKeys = 0;
  /** The event time of the event being observed. */
  #nowMs = 0;

  /** @param killRenewMs how long a run's kill holds before it may be renewed (see `killRenewSeconds`). */
  constructor(private readonly killRenewMs?: number) {}

  /** Starts a new event. */
  reset(traceRun: RunState | undefined, nowMs: number): void {
    this.findings = [];
    this.traceRun = traceRun;
    this.#nowMs = nowMs;
  }

  /** True when this finding has not been emitted for the run yet (check before building evidence). */
  isNew(run: RunState, detector: string, action: DecisionAction, detail = ""): boolean {
    if (run.killed && action !== "kill") return false;
    if (run.fired?.has(runFindingKey(run, detector, action, detail)) && !this.#killLapsed(run, action))
      return false;
    const trace = this.traceRun;
    if (run.kind === "session" && trace && LOOP_DETECTORS.has(detector)) {
      return !trace.fired?.has(runFindingKey(trace, detector, action, detail));
    }
    return true;
  }

  /**
   * Emits a run finding unless its key was already emitted. `detail` separates situations that
   * deserve their own finding within one run, such as blocking two different tools.
   */
  emitRun(
    run: RunState,
    detector: string,
    action: DecisionAction,
    reason: string,
    evidence: Record<string, unknown>,
    detail = "",
  ): void {
    if (!this.isNew(run, detector, action, detail)) return;
    let key = runFindingKey(run, detector, action, detail);
    run.fired ??= new Set();
    if (run.fired.has(key)) {
      // A renewal: the same situation, killed again, as a finding (and decision) of its own.
      run.renewedKills++;
      key = `${key}:renewed-${run.renewedKills}`;
    } else {
      run.fired.add(key);
      this.firedKeys++;
    }
    if (action === "kill") {
      run.killed = true;
      run.killedAtMs = this.#nowMs;
    }
    this.findings.push({ detector, action, scope: runScope(run), reason, evidence, key });
  }

  /** True for a kill of a run whose last kill has stopped holding (see `killRenewSeconds`). */
  #killLapsed(run: RunState, action: DecisionAction): boolean {
    return (
      action === "kill" &&
      run.killed &&
      this.killRenewMs !== undefined &&
      this.#nowMs - run.killedAtMs >= this.killRenewMs
    );
  }

  /** Emits a finding whose uniqueness the caller already tracks (budgets of users, features, tenants). */
  emit(finding: Finding): void {
    this.findings.push(finding);
  }
}

/**
 * `D1.identical_call:kill:trace:<id>@<first event ms>`, with `:<detail>` when the situation
 * has one. The run's first event time tells its incarnations apart: a run that was dropped
 * (idle past the TTL, or evicted) and comes back is a new run, and its kill must be a new
 * decision, not one that webhook receivers and the collector's recent ids already dropped as
 * a repeat.
 */
export function runFindingKey(run: RunState, detector: string, action: DecisionAction, detail = ""): string {
  const base = `${detector}:${action}:${run.kind}:${run.id}@${Math.trunc(run.firstMs)}`;
  return detail === "" ? base : `${base}:${detail}`;
}

/** The decision scope of a run. */
export function runScope(run: RunState): DecisionScope {
  return run.kind === "trace" ? { trace_id: run.id } : { session_id: run.id };
}

/** How a reason names a run: `trace 4bf92f35…` (long ids are shortened, as the guards do). */
export function runLabel(run: RunState): string {
  const id = run.id.length > 12 ? `${run.id.slice(0, 8)}…` : run.id;
  return `${run.kind} ${id}`;
}

/** How a reason names one agent's loop in a run: `agent planner in trace 4bf92f35…`, or the run alone. */
export function loopLabel(run: RunState, loop: LoopState): string {
  return loop.agent === "" ? runLabel(run) : `agent ${loop.agent} in ${runLabel(run)}`;
}

/**
 * An exact dollar amount for evidence: money.ts's 12 decimals without trailing zeros.
 * @example usd(10_500_000_000_000n) === "10.5"
 */
export function usd(pico: Usd): string {
  const text = formatUsd(pico);
  return text.replace(/\.?0+$/, "");
}

/**
 * A dollar amount for a sentence: cents, or under a cent two significant digits (at least four
 * decimals), cut off rather than rounded, so small costs neither read as $0.00 nor round up to
 * the limit they are short of.
 * @example dollars(10_500_000_000_000n) === "$10.50"; dollars(4_700_000_000n) === "$0.0047"; dollars(499_000_000n) === "$0.00049"
 */
export function dollars(pico: Usd): string {
  const value = Number(pico) / 1e12;
  if (Math.abs(value) >= 0.01 || value === 0) return `$${value.toFixed(2)}`;
  const decimals = Math.min(12, Math.max(4, 1 - Math.floor(Math.log10(Math.abs(value)))));
  const scale = 10 ** decimals;
  return `$${(Math.trunc(value * scale) / scale).toFixed(decimals)}`;
}

/** Two amounts for one sentence (a cost and its cap) as `dollars` writes them, told apart when they differ (see `amountsApart`). */
export function dollarsApart(a: Usd, b: Usd): [string, string] {
  return amountsApart(a, b, dollars);
}

/** A rounded number for a sentence or evidence: floats such as rates carry no false precision. */
export function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
