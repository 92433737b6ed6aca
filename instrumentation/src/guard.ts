import { detectRepetition } from "@burnrate/core";
import { BudgetExceededError, RunawayLoopError } from "./errors.js";
import { type GuardConfig, guardConfigSchema } from "./guard-config.js";
import { Ledger, type RunUsage } from "./ledger.js";

/** The runs a call belongs to: its trace, and its session when attribution names one. */
export interface RunScope {
  traceId?: string;
  session?: string;
}

/**
 * Local guards: limits per trace and per session on calls, tokens and cost, and the
 * identical-call and cycle detectors. They need no collector. A breach throws a typed
 * error before the next request is sent, so the call that would break a limit is never billed.
 */
export class Guard {
  #config: GuardConfig;
  readonly #ledger = new Ledger();

  constructor(config: Partial<GuardConfig> = {}) {
    this.#config = guardConfigSchema.parse(config);
  }

  get config(): GuardConfig {
    return this.#config;
  }

  configure(config: Partial<GuardConfig>): void {
    this.#config = guardConfigSchema.parse({ ...this.#config, ...config });
  }

  /** Throws BudgetExceededError or RunawayLoopError if a run in `scope` may not make another call. */
  check(scope: RunScope): void {
    if (!this.#config.enabled) return;
    const c = this.#config;
    if (scope.traceId) {
      this.#checkRun(
        "trace",
        scope.traceId,
        c.maxCallsPerTrace,
        c.maxTokensPerTrace,
        c.maxCostPerTrace,
        "TRACE",
      );
    }
    if (scope.session) {
      this.#checkRun(
        "session",
        scope.session,
        c.maxCallsPerSession,
        c.maxTokensPerSession,
        c.maxCostPerSession,
        "SESSION",
      );
    }
  }

  /** Records a finished call against its runs. `step` is what loop detection compares. */
  record(scope: RunScope, call: { tokens: number; costUsd: number; step: string }): void {
    if (scope.traceId) this.#ledger.record(`trace:${scope.traceId}`, call);
    if (scope.session) this.#ledger.record(`session:${scope.session}`, call);
  }

  /** What the run has used, for `budget()`. */
  usage(kind: "trace" | "session", id: string): RunUsage | undefined {
    return this.#ledger.get(`${kind}:${id}`);
  }

  reset(): void {
    this.#ledger.clear();
  }

  #checkRun(
    kind: "trace" | "session",
    id: string,
    maxCalls: number | undefined,
    maxTokens: number | undefined,
    maxCost: number | undefined,
    envSuffix: string,
  ): void {
    const run = this.#ledger.get(`${kind}:${id}`);
    if (!run) return;
    const scope = { [kind]: id };
    const label = `${kind} ${id.length > 12 ? `${id.slice(0, 8)}…` : id}`;
    if (maxCost !== undefined && run.costUsd >= maxCost) {
      throw new BudgetExceededError(
        `${label} spent $${run.costUsd.toFixed(4)} of its $${maxCost.toFixed(2)} budget`,
        {
          scope,
          measure: "cost_usd",
          spent: run.costUsd,
          limit: maxCost,
          hint: `raise BURNRATE_MAX_COST_PER_${envSuffix} or configure({ maxCostPer${cap(kind)} })`,
        },
      );
    }
    if (maxCalls !== undefined && run.calls >= maxCalls) {
      throw new BudgetExceededError(`${label} made ${run.calls} LLM calls, its limit is ${maxCalls}`, {
        scope,
        measure: "calls",
        spent: run.calls,
        limit: maxCalls,
        hint: `raise BURNRATE_MAX_CALLS_PER_${envSuffix} or configure({ maxCallsPer${cap(kind)} })`,
      });
    }
    if (maxTokens !== undefined && run.tokens >= maxTokens) {
      throw new BudgetExceededError(`${label} used ${run.tokens} tokens, its limit is ${maxTokens}`, {
        scope,
        measure: "tokens",
        spent: run.tokens,
        limit: maxTokens,
        hint: `raise BURNRATE_MAX_TOKENS_PER_${envSuffix} or configure({ maxTokensPer${cap(kind)} })`,
      });
    }
    this.#checkLoop(label, scope, run.steps);
  }

  #checkLoop(label: string, scope: Record<string, string>, steps: string[]): void {
    const { identicalCalls, cycleRepeats } = this.#config;
    const repetition = detectRepetition(steps);
    if (!repetition) return;
    if (repetition.period === 1 && identicalCalls > 0 && repetition.repeats >= identicalCalls) {
      throw new RunawayLoopError(`${label} repeated the same step ${repetition.repeats} times in a row`, {
        scope,
        measure: "identical_calls",
        spent: repetition.repeats,
        limit: identicalCalls,
        hint: "the agent is looping; raise BURNRATE_LOOP_IDENTICAL_CALLS if this repetition is intended",
      });
    }
    if (repetition.period > 1 && cycleRepeats > 0 && repetition.repeats >= cycleRepeats) {
      throw new RunawayLoopError(
        `${label} repeated a cycle of ${repetition.period} steps ${repetition.repeats} times`,
        {
          scope,
          measure: "cycle_repeats",
          spent: repetition.repeats,
          limit: cycleRepeats,
          hint: "the agent is looping; raise BURNRATE_LOOP_CYCLE_REPEATS if this cycle is intended",
        },
      );
    }
  }
}

function cap(kind: string): string {
  return kind[0]!.toUpperCase() + kind.slice(1);
}
