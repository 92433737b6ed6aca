import { DETECTOR } from "./events.js";
import { type FindingSink, runLabel } from "./finding.js";
import { MAX_CYCLE_PERIOD, OFFSET, type RunState, STEP_RING } from "./run-state.js";
import { isLlmStep } from "./step-hash.js";
import type { ResolvedThresholds } from "./thresholds.js";

/**
 * Appends a step to the run's ring and updates, for each period p, how many tail steps equal
 * the step p places earlier. A block of p steps repeated r times at the tail makes that count
 * at least (r - 1) * p, so repetitions are read off in O(1) per period, with no rescan.
 */
export function pushStep(run: RunState, step: number): void {
  const ints = run.ints;
  const count = run.stepCount;
  for (let period = 1; period <= MAX_CYCLE_PERIOD; period++) {
    const slot = OFFSET.match + period;
    ints[slot] = count >= period && run.stepAt(period - 1) === step ? ints[slot]! + 1 : 0;
  }
  ints[OFFSET.steps + (count & (STEP_RING - 1))] = step;
  run.stepCount = count + 1;
}

/** The tail cycle: its period and how many whole times it repeats. */
export interface Cycle {
  period: number;
  repetitions: number;
  /** LLM steps and tool steps in one block. */
  llmSteps: number;
  toolSteps: number;
}

/**
 * The strongest cycle of period 2..`maxPeriod` at the tail of the run's steps (most
 * repetitions, shortest period on ties), counting only blocks with at least two different LLM
 * steps. One LLM step repeating (with its tool executions) is D1's identical call, and a
 * block of bare tool names (`tool:edit_file`, `tool:run_tests`) carries no arguments, so it
 * cannot tell a loop from an agent editing and testing different files.
 */
export function tailCycle(run: RunState, maxPeriod: number, minRepetitions: number): Cycle | undefined {
  let best: Cycle | undefined;
  for (let period = 2; period <= maxPeriod; period++) {
    const repetitions = Math.floor(run.ints[OFFSET.match + period]! / period) + 1;
    if (repetitions < minRepetitions || (best && repetitions <= best.repetitions)) continue;
    if (hasTwoLlmSteps(run, period)) best = { period, repetitions, llmSteps: 0, toolSteps: 0 };
  }
  if (best) {
    for (let back = 0; back < best.period; back++) {
      if (isLlmStep(run.stepAt(back))) best.llmSteps++;
      else best.toolSteps++;
    }
  }
  return best;
}

function hasTwoLlmSteps(run: RunState, period: number): boolean {
  let first: number | undefined;
  for (let back = 0; back < period; back++) {
    const step = run.stepAt(back);
    if (!isLlmStep(step)) continue;
    if (first === undefined) first = step;
    else if (step !== first) return true;
  }
  return false;
}

/**
 * D2, cycle: the run's steps (LLM steps and `tool:<name>` steps, polling excluded) end in a
 * block of 2..`cycleMaxPeriod` steps repeated `cycleWarnAt` (4) times → warn, `cycleKillAt`
 * (5) times → kill. Call after `pushStep`.
 * @example // plan → search → plan → read → plan → search → plan → read …: period 4
 */
export function detectCycle(run: RunState, t: ResolvedThresholds, sink: FindingSink): void {
  const lowest = lowestRung(t.cycleWarnAt, t.cycleKillAt);
  if (lowest === 0) return;
  const cycle = tailCycle(run, Math.min(t.cycleMaxPeriod, MAX_CYCLE_PERIOD), lowest);
  if (!cycle) return;
  for (const [action, at] of [
    ["warn", t.cycleWarnAt],
    ["kill", t.cycleKillAt],
  ] as const) {
    if (at === 0 || cycle.repetitions < at || !sink.isNew(run, DETECTOR.cycle, action)) continue;
    sink.emitRun(
      run,
      DETECTOR.cycle,
      action,
      `${runLabel(run)} repeated a cycle of ${cycle.period} steps ${cycle.repetitions} times` +
        `${action === "kill" ? `, the limit is ${t.cycleKillAt}` : t.cycleKillAt ? ` (kill at ${t.cycleKillAt})` : ""}.`,
      {
        period: cycle.period,
        repetitions: cycle.repetitions,
        llm_steps: cycle.llmSteps,
        tool_steps: cycle.toolSteps,
        warn_at: t.cycleWarnAt,
        kill_at: t.cycleKillAt,
        max_period: t.cycleMaxPeriod,
      },
    );
  }
}

/** The smallest rung that is on, or 0 when all are off. */
export function lowestRung(...rungs: number[]): number {
  let lowest = 0;
  for (const value of rungs) if (value !== 0 && (lowest === 0 || value < lowest)) lowest = value;
  return lowest;
}
