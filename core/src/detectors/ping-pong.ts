import { DETECTOR, type DetectorEvent } from "./events.js";
import { type FindingSink, runLabel } from "./finding.js";
import type { RunState, Turn } from "./run-state.js";
import { combine, hammingDistance } from "./step-hash.js";
import type { ResolvedThresholds } from "./thresholds.js";

/**
 * D3, agent ping-pong: two agents take turns (a turn is one agent's consecutive steps) and
 * each turn repeats that agent's previous turn: the same prompt and tool fingerprints, or,
 * when content SimHashes are captured, hashes at most `pingPongMaxHamming` (3) bits apart.
 * With s such turns in a row, 2 + s turns form the exchange and (2 + s) / 2 rounds; warn at
 * `pingPongWarnRounds` (4), kill at `pingPongKillRounds` (6).
 *
 * Alternation alone never fires: a round-robin chat alternates agents too, but with new
 * messages every turn, so no turn repeats its agent's previous one. Steps with no agent
 * (an unattributed tool span) belong to the turn in progress. Polling is not passed in
 * (allowlisted tools and the calls learned to ask for them), nor are refused calls: two
 * sub-agents each waiting on its own job with an allowlisted `poll_job` take turns, and
 * their turns repeat, but that is what the allowlist says is fine.
 *
 * @example // planner "revise it" → critic "not yet" → planner "revise it" → … for 6 rounds: kill
 */
export function detectPingPong(
  run: RunState,
  event: DetectorEvent,
  step: number,
  simHash: [number, number] | undefined,
  t: ResolvedThresholds,
  sink: FindingSink,
): void {
  const turn = run.turn;
  if (event.agent === "" && !turn) return;
  if (turn && (event.agent === "" || event.agent === turn.agent)) {
    turn.signature = combine(turn.signature, step);
    if (simHash) setSim(turn, simHash);
  } else {
    if (turn) closeTurn(run, t);
    const opened: Turn = {
      agent: event.agent,
      signature: combine(0, step),
      simHigh: 0,
      simLow: 0,
      hasSim: false,
    };
    if (simHash) setSim(opened, simHash);
    run.turn = opened;
  }

  // The turn in progress counts as soon as it matches: detection does not wait for the next agent.
  const current = run.turn!;
  const match = repeats(current, run.turnBefore, t);
  if (!match) return;
  const rounds = Math.floor((run.pingPongStreak + 1 + 2) / 2);
  for (const [action, at] of [
    ["warn", t.pingPongWarnRounds],
    ["kill", t.pingPongKillRounds],
  ] as const) {
    if (at === 0 || rounds < at || !sink.isNew(run, DETECTOR.pingPong, action)) continue;
    const agents = [run.previousTurn!.agent, current.agent].sort();
    sink.emitRun(
      run,
      DETECTOR.pingPong,
      action,
      `${runLabel(run)}: agents ${agents[0]} and ${agents[1]} traded near-identical messages for ` +
        `${rounds} rounds${action === "kill" ? `, the limit is ${at}` : t.pingPongKillRounds ? ` (kill at ${t.pingPongKillRounds})` : ""}.`,
      {
        agents,
        rounds,
        similarity: match,
        warn_rounds: t.pingPongWarnRounds,
        kill_rounds: t.pingPongKillRounds,
        max_hamming: t.pingPongMaxHamming,
      },
    );
  }
}

function setSim(turn: Turn, simHash: [number, number]): void {
  turn.simHigh = simHash[0];
  turn.simLow = simHash[1];
  turn.hasSim = true;
}

/** A finished turn: extend or reset the streak, then shift the two-turn history. */
function closeTurn(run: RunState, t: ResolvedThresholds): void {
  const closed = run.turn!;
  run.pingPongStreak = repeats(closed, run.turnBefore, t) ? run.pingPongStreak + 1 : 0;
  run.turnBefore = run.previousTurn;
  run.previousTurn = closed;
}

/** How `turn` repeats the same agent's turn before last, or undefined when it does not. */
function repeats(
  turn: Turn,
  before: Turn | undefined,
  t: ResolvedThresholds,
): "fingerprint" | "simhash" | undefined {
  if (!before || before.agent !== turn.agent) return undefined;
  if (turn.signature === before.signature) return "fingerprint";
  if (
    turn.hasSim &&
    before.hasSim &&
    hammingDistance(turn.simHigh, turn.simLow, before.simHigh, before.simLow) <= t.pingPongMaxHamming
  ) {
    return "simhash";
  }
  return undefined;
}
