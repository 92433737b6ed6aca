import { parseUsd, type Usd } from "../pricing/money.js";
import type { BudgetRelease } from "./budget-kills.js";
import { BudgetBook } from "./budgets.js";
import { addSpend, detectBurn, type RunLimit } from "./burn-rate.js";
import {
  type BudgetInput,
  budgetSchema,
  type DetectionConfig,
  type DetectionConfigInput,
  detectionConfigSchema,
} from "./config.js";
import { detectCycle, pushStep } from "./cycle.js";
import type { DetectorEvent, Finding } from "./events.js";
import { FindingSink } from "./finding.js";
import { detectIdenticalCall, type LlmSteps } from "./identical.js";
import { detectLiveness } from "./liveness.js";
import { detectNoProgress } from "./no-progress.js";
import { detectPingPong } from "./ping-pong.js";
import type { RunState } from "./run-state.js";
import { RunTable } from "./run-table.js";
import type { SessionSeedRequest } from "./session-seeds.js";
import type { SpendSeed } from "./spend-ledger.js";
import { parseSimHash, promptStep, resultHash, toolCallsStep, toolStep } from "./step-hash.js";
import { type ResolvedThresholds, ThresholdResolver } from "./thresholds.js";

/** A single step above $1M is bad input, not spend; clamping keeps the int64 window sums sane. */
const MAX_STEP_PICO = 10n ** 18n;

/** Calibrated with `throughput.test.ts` (heap after GC / runs held); see `approxBytes`. */
const RUN_BYTES = 722;
/** Each agent's loop state past a run's first (see `LoopState`). */
const LOOP_BYTES = 372;
const MONEY_BYTES = 150;
const TURN_BYTES = 60;
const COUNTER_BYTES = 260;
const SEED_BYTES = 180;

/** What one event looks like to the detectors, worked out once and shared by its trace and session runs. */
interface EventSteps {
  llm: LlmSteps;
  /** The event's step: an LLM call's for D2 and D3, a tool's for D3 only. */
  step: number;
  /** D1, D2 and D3 leave allowlisted tools and the calls learned to be polling out. */
  allowlisted: boolean;
  /** D4's `resultHash`, or 0 when the event is not a counted tool result. */
  result: number;
  simHash: [number, number] | undefined;
}

/**
 * The loop, burn and budget detectors over a stream of LLM and tool steps. Pure and
 * streaming: no I/O and no timers, all time comes from the events, and memory stays bounded
 * (`maxRuns` runs of about 1 KB, more for runs of several agents, plus budget counters).
 *
 * State is kept at two levels. Per run (a trace, or a session): D3 (which watches agents
 * talking to each other), D5, D6 and budgets. Per agent within a run (`LoopState`): D1, D2,
 * D4 and the learning of polling calls, because the agents of one trace loop on their own.
 *
 * @example
 * const engine = new DetectionEngine({ budgets: [{ id: "u", scope: "user", limitUsd: "50", period: "day" }] });
 * for (const event of events) for (const finding of engine.observe(event)) hub.decide(event.projectId, finding);
 */
export class DetectionEngine {
  readonly #config: DetectionConfig;
  readonly #resolver: ThresholdResolver;
  readonly #runs: RunTable;
  readonly #budgets: BudgetBook;
  readonly #allowlist: ReadonlySet<string>;
  readonly #acknowledgements: ReadonlySet<string>;
  readonly #sink: FindingSink;
  #nowMs = 0;

  constructor(config: DetectionConfigInput = {}) {
    this.#config = detectionConfigSchema.parse(config);
    this.#resolver = new ThresholdResolver(this.#config);
    this.#runs = new RunTable(this.#config.maxRuns, this.#config.runTtlSeconds);
    this.#budgets = new BudgetBook(this.#config.budgets, this.#config.maxSpendCounters);
    this.#allowlist = new Set(this.#config.allowlist);
    this.#acknowledgements = new Set(this.#config.acknowledgementTools);
    const renewSeconds = this.#config.killRenewSeconds;
    this.#sink = new FindingSink(renewSeconds === undefined ? undefined : renewSeconds * 1000);
  }

  /** Runs held now (traces plus sessions). */
  get trackedRuns(): number {
    return this.#runs.size;
  }

  /**
   * Feeds one step, in arrival order, and returns the findings it caused (usually none).
   * Each finding is new: its key has not been returned before for that run or budget period.
   */
  observe(event: DetectorEvent): Finding[] {
    const ms = this.#eventMs(event);
    const costPico = parseCost(event.costUsd);
    const steps = this.#steps(event);
    const sink = this.#sink;

    const trace =
      event.traceId === "" ? undefined : this.#runs.touch("trace", event.projectId, event.traceId, ms);
    sink.reset(trace, ms);
    if (trace) this.#observeRun(trace, event, ms, steps, costPico);
    if (event.sessionId !== "") {
      const session = this.#runs.touch("session", event.projectId, event.sessionId, ms);
      this.#observeRun(session, event, ms, steps, costPico);
    }
    if (costPico > 0n) this.#budgets.checkPeriods(event, costPico, ms, sink);
    this.#runs.evict(this.#nowMs);
    return sink.findings;
  }

  /**
   * Loads spend from storage at start, so a restart does not reset a user's month. Warnings
   * that the seeded spend had already crossed are not repeated; a stop (100%) is, on the
   * scope's next priced call, because the app may have lost its kill list too. With
   * `{ atStart: true }`, a stop the seeded spend had reached is also taken as still held by
   * the scope's apps, so raising or deleting the budget releases it (see `setBudgets`).
   * @example engine.seedSpend([{ scope: "user", id: "alice", period: "month", periodStart: "2025-03-01", spentUsd: "48.10" }])
   */
  seedSpend(entries: readonly SpendSeed[], options: { atStart?: boolean } = {}): void {
    this.#budgets.seedSpend(entries, options.atStart === true);
  }

  /**
   * Replaces every budget definition (the collector reloads them every few seconds). Spend
   * counted so far is kept; a budget that is new or whose limit changed alerts afresh. Returns
   * the releases of the user, feature and tenant kills that the change lifts: their budget
   * was raised above the period's spend, or deleted (send each as a `release` decision).
   * @throws ZodError when a budget is malformed; the old budgets stay in force then.
   */
  setBudgets(budgets: readonly BudgetInput[]): BudgetRelease[] {
    return this.#budgets.setBudgets(budgets.map((budget) => budgetSchema.parse(budget)));
  }

  /**
   * Asks `listener` for a session's earlier spend when a session that a budget watches is
   * first seen (since start, or again after it idled out): load what it spent before
   * `request.beforeMs` and pass it to `seedSession`. Called during `observe`: only queue there.
   */
  onSessionSeed(listener: (request: SessionSeedRequest) => void): void {
    this.#budgets.sessionSeeds.listen(listener);
  }

  /**
   * Adds a session's earlier spend (`onSessionSeed`) to its budgets' count and returns the
   * findings that causes (a session past its budget is stopped now, not at its next call).
   * Warnings the earlier spend had already crossed are not repeated.
   */
  seedSession(request: SessionSeedRequest, spentUsd: string): Finding[] {
    this.#sink.reset(undefined, this.#nowMs);
    this.#budgets.seedSession(request, spentUsd, this.#sink);
    return this.#sink.findings;
  }

  /** Drops a run's state (its key is `runKey(kind, projectId, id)`); true if it was held. */
  forget(runKey: string): boolean {
    return this.#runs.forget(runKey);
  }

  /** An estimate of the memory held, in bytes, for metrics. Walks every run: call it occasionally. */
  approxBytes(): number {
    let bytes = 0;
    for (const run of this.#runs.values()) {
      bytes += RUN_BYTES + run.key.length + LOOP_BYTES * Math.max(run.loopCount - 1, 0);
      if (run.money) bytes += MONEY_BYTES;
      if (run.turn) bytes += TURN_BYTES * (run.turnBefore ? 3 : run.previousTurn ? 2 : 1);
      if (run.fired) for (const key of run.fired) bytes += 64 + key.length;
    }
    const ledger = this.#budgets.ledger;
    return bytes + ledger.size * COUNTER_BYTES + ledger.seeds * SEED_BYTES;
  }

  #observeRun(run: RunState, event: DetectorEvent, ms: number, steps: EventSteps, costPico: Usd): void {
    const t = this.#resolver.resolve(event.agent, event.feature, run.kind);
    const sink = this.#sink;
    run.tokens += Math.max(event.tokens, 0);
    let skipStep = steps.allowlisted;
    if (event.kind === "llm_call") {
      run.llmCalls++;
      run.llmAgent = event.agent;
      const loop = run.loopOf(event.agent);
      const { toolCalls, refused } = steps.llm;
      detectIdenticalCall(run, loop, event, steps.llm, t, sink);
      skipStep = refused || (toolCalls !== 0 && loop.isPolling(toolCalls));
      // A refused call is a retry of the step before it; the tool of that step may still come.
      if (!refused) loop.pendingToolCalls = toolCalls;
      if (!skipStep) {
        pushStep(loop, steps.step);
        detectCycle(run, loop, t, sink);
      }
    } else {
      // A tool span without an agent of its own is the execution of the latest LLM call's request.
      const loop = run.loopOf(event.agent === "" ? run.llmAgent : event.agent);
      if (steps.allowlisted) {
        // The agent's LLM call before a polling tool asked for the poll: its step is polling too from now on.
        loop.markPolling(loop.pendingToolCalls);
      } else if (steps.result !== 0 && run.kind === "trace") {
        // Trace runs only: a chat whose every turn looks the customer up again gets the same
        // result once per trace, which is normal for a session and says nothing about progress.
        detectNoProgress(run, loop, event, steps.result, t, sink);
      }
    }
    if (!skipStep) detectPingPong(run, event, steps.step, steps.simHash, t, sink);
    if (costPico > 0n) {
      addSpend(run, costPico, ms, t);
      const budgets = this.#budgets.runBudgets(run, event.projectId, event);
      detectBurn(run, costPico, t, runLimit(t, budgets), sink);
      this.#budgets.checkRun(run, budgets, sink);
    }
    detectLiveness(run, t, sink);
  }

  #steps(event: DetectorEvent): EventSteps {
    const simHash = parseSimHash(event.contentSimHash);
    if (event.kind === "llm_call") {
      const toolCalls = event.toolCallFingerprints.length > 0 ? toolCallsStep(event.toolCallFingerprints) : 0;
      const prompt = event.promptFingerprint === "" ? 0 : promptStep(event.promptFingerprint);
      // A call with no fingerprint at all is a step unlike any other, never "the same again".
      const step = toolCalls || prompt || promptStep(`\u0000span:${event.spanId}`);
      const refused = toolCalls === 0 && (event.failed === true || !(event.tokens > 0));
      return { llm: { toolCalls, prompt, refused }, step, allowlisted: false, result: 0, simHash };
    }
    const name = event.toolName ?? "";
    const allowlisted = this.#allowlist.has(name);
    const digest = event.toolResultDigest ?? "";
    const counted = !allowlisted && !this.#acknowledgements.has(name) && digest !== "";
    return {
      llm: NO_LLM_STEPS,
      step: name === "" ? toolStep(`\u0000span:${event.spanId}`) : toolStep(name),
      allowlisted,
      result: counted ? resultHash(name, digest) || 1 : 0,
      simHash,
    };
  }

  /** Event time in ms; a span without a start time takes the latest time seen. */
  #eventMs(event: DetectorEvent): number {
    const ms = Number(event.timeUnixNano) / 1e6;
    if (!(ms > 0)) return this.#nowMs;
    if (ms > this.#nowMs) this.#nowMs = ms;
    return ms;
  }
}

const NO_LLM_STEPS: LlmSteps = Object.freeze({ toolCalls: 0, prompt: 0, refused: false });

/** The tighter of the per-run cap and the run's budgets, for D5's projection. */
function runLimit(
  t: ResolvedThresholds,
  budgets: readonly { budget: { id: string }; limitPico: Usd }[],
): RunLimit | undefined {
  let limit: RunLimit | undefined =
    t.runMaxPico > 0n ? { pico: t.runMaxPico, source: "runMaxUsd" } : undefined;
  for (const { budget, limitPico } of budgets) {
    if (!limit || limitPico < limit.pico) limit = { pico: limitPico, source: `budget:${budget.id}` };
  }
  return limit;
}

/** Exact cost of a step; malformed or negative costs count as 0 rather than stopping the stream. */
function parseCost(text: string): Usd {
  if (text === "0" || text === "") return 0n;
  try {
    const pico = parseUsd(text);
    if (pico <= 0n) return 0n;
    return pico > MAX_STEP_PICO ? MAX_STEP_PICO : pico;
  } catch {
    return 0n;
  }
}
