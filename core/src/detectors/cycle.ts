import { DETECTOR } from "./events.js";
import { type FindingSink, loopLabel } from "./finding.js";
import { agentEvidence, type LoopState, MAX_CYCLE_PERIOD, OFFSET, STEP_RING } from "./loop-state.js";
import type { RunState } from "./run-state.js";
import type { ResolvedThresholds } from "./thresholds.js";

/**
 * Appends an LLM step to the agent's ring and updates, for each period p, how many tail steps equal
 * the step p places earlier. A block of p steps repeated r times at the tail makes that count
 * at least (r - 1) * p, so repetitions are read off in O(1) per period, with no rescan.
 */
export function pushStep(loop: LoopState, step: number): void {
  const ints = loop.ints;
  const count = loop.stepCount;
  for (let period = 1; period <= MAX_CYCLE_PERIOD; period++) {
    const slot = OFFSET.match + period;
    ints[slot] = count >= period && loop.stepAt(period - 1) === step ? ints[slot]! + 1 : 0;
  }
  ints[OFFSET.steps + (count & (STEP_RING - 1))] = step;
  loop.stepCount = count + 1;
}

/** The tail cycle: its period and how many whole times it repeats. */
export interface Cycle {
  period: number;
  repetitions: number;
}

/**
 * The strongest cycle of period 2..`maxPeriod` at the tail of the agent's steps (most
 * repetitions, shortest period on ties), counting only blocks with at least two different
 * steps: one step repeating is D1's identical call.
 */
export function tailCycle(loop: LoopState, maxPeriod: number, minRepetitions: number): Cycle | undefined {
  let best: Cycle | undefined;
  for (let period = 2; period <= maxPeriod; period++) {
    const repetitions = Math.floor(loop.ints[OFFSET.match + period]! / period) + 1;
    if (repetitions < minRepetitions || (best && repetitions <= best.repetitions)) continue;
    if (hasTwoSteps(loop, period)) best = { period, repetitions };
  }
  return best;
}

function hasTwoSteps(loop: LoopState, period: number): boolean {
  const first = loop.stepAt(0);
  for (let back = 1; back < period; back++) if (loop.stepAt(back) !== first) return true;
  return false;
}

/**
 * D2, cycle: one agent's LLM steps (polling and refused calls excluded) end in a block of
 * 2..`cycleMaxPeriod` steps repeated `cycleWarnAt` (4) times → warn, `cycleKillAt` (5) times
 * → kill. Call after `pushStep`.
 *
 * A step is an LLM call: the tool calls it requested (name and arguments, as a multiset), or
 * its prompt when it requested none. Tool executions are not steps. What the model asked for
 * already says which tools run with which arguments, while a tool span says only its name and
 * arrives in whatever order parallel tools finish, or in a later export when the tool runs in
 * another service. Keeping tool spans out makes the cycle the same however the tools' spans
 * arrive, and the same for the collector (which sees every span) and the local guard (which
 * sees only the tools run in its process through `toolSpan`).
 * @example // plan(search) → plan(read) → plan(search) → plan(read) …: period 2
 */
export function detectCycle(run: RunState, loop: LoopState, t: ResolvedThresholds, sink: FindingSink): void {
  const lowest = lowestRung(t.cycleWarnAt, t.cycleKillAt);
  if (lowest === 0) return;
  const cycle = tailCycle(loop, Math.min(t.cycleMaxPeriod, MAX_CYCLE_PERIOD), lowest);
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
      `${loopLabel(run, loop)} repeated a cycle of ${cycle.period} steps ${cycle.repetitions} times` +
        `${action === "kill" ? `, the limit is ${t.cycleKillAt}` : t.cycleKillAt ? ` (kill at ${t.cycleKillAt})` : ""}.`,
      {
        period: cycle.period,
        repetitions: cycle.repetitions,
        ...agentEvidence(loop),
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
