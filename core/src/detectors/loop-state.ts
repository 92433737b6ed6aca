/** Longest cycle period the step ring can hold; `cycleMaxPeriod` is capped below it. */
export const MAX_CYCLE_PERIOD = 12;
/** Steps kept: enough to compare a new step with the one `MAX_CYCLE_PERIOD` back and read a whole block. */
export const STEP_RING = 16;
/** Tool results kept for D4; `noProgressWindow` is capped at this. */
export const RESULT_RING = 32;
/** Tool-call steps learned to be polling (followed by an allowlisted tool). */
export const POLL_SLOTS = 4;
/**
 * Agents of one run that keep loop state. A fan-out wider than this is never a false kill: the
 * agent seen least recently loses its state (its streaks start again), so memory per run stays
 * bounded; a loop of a ninth agent interleaved with eight others can be missed.
 */
export const MAX_AGENT_LOOPS = 8;

/** Layout of `LoopState.ints`, one typed array so that a loop state costs one allocation, not four. */
export const OFFSET = {
  steps: 0,
  /** match[p]: how many tail steps equal the step p places earlier, for p = 1..MAX_CYCLE_PERIOD. */
  match: STEP_RING,
  results: STEP_RING + 16,
  polling: STEP_RING + 16 + RESULT_RING,
  end: STEP_RING + 16 + RESULT_RING + POLL_SLOTS,
} as const;

/**
 * What the loop detectors (D1, D2, D4) remember about one agent of a run: D1's streaks, D2's
 * step ring, D4's result ring, and the steps learned to be polling.
 *
 * It is kept per agent because the agents of one trace are separate loops. Five sub-agents
 * that each start with `get_schema({})` have repeated nothing; an agent that repeats one
 * search is looping even while another agent works in between; and a polling tool marks the
 * call of the agent that asked for it, not whichever call came last in the trace. Events
 * without an agent share the run's agentless state.
 */
export class LoopState {
  readonly agent: string;
  /** Step ring (D2), match counters, result ring (D4) and learned polling steps; see OFFSET. */
  readonly ints = new Int32Array(OFFSET.end);
  stepCount = 0;
  resultCount = 0;
  pollingCount = 0;

  /** D1: the last LLM step that requested tools, and how many times in a row it came. */
  lastToolCalls = 0;
  toolCallsStreak = 0;
  /** D1: the last prompt of a call that requested no tool, and how many times in a row it came. */
  lastPrompt = 0;
  promptStreak = 0;
  /** The latest LLM step that requested tools, so a following polling tool can mark it. */
  pendingToolCalls = 0;
  /**
   * D1: the latest round of the current streak, in ms: its calls' earliest start and earliest
   * end, and how many calls it has (see `joinsRound`); 0 calls when its call had no times.
   */
  roundStartMs = 0;
  roundEndMs = 0;
  roundSize = 0;

  constructor(agent: string) {
    this.agent = agent;
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
 * Takes the loop state of `agent` out of `others` (most recently seen first), or makes it,
 * and puts `current` at their front. Past `MAX_AGENT_LOOPS` agents in all, the least recently
 * seen one's state is dropped.
 */
export function switchLoop(current: LoopState, others: LoopState[], agent: string): LoopState {
  let index = 0;
  while (index < others.length && others[index]!.agent !== agent) index++;
  let next: LoopState;
  if (index < others.length) {
    next = others[index]!;
    others.splice(index, 1);
  } else {
    next = new LoopState(agent);
    if (others.length >= MAX_AGENT_LOOPS - 1) others.pop();
  }
  others.unshift(current);
  return next;
}

/** `{ agent }` for a finding's evidence, or nothing for the agentless state. */
export function agentEvidence(loop: LoopState): { agent?: string } {
  return loop.agent === "" ? {} : { agent: loop.agent };
}
