import type { DecisionAction } from "../decision.js";
import { DETECTOR, type DetectorEvent } from "./events.js";
import { type FindingSink, loopLabel } from "./finding.js";
import { agentEvidence, type LoopState } from "./loop-state.js";
import type { RunState } from "./run-state.js";
import type { ResolvedThresholds } from "./thresholds.js";

/** The hashed steps of one LLM call, computed once per event and shared by its trace and session runs. */
export interface LlmSteps {
  /** `toolCallsStep` of the requested calls, or 0 when the model requested none. */
  toolCalls: number;
  /** `promptStep` of the prompt fingerprint, or 0 when the span had none. */
  prompt: number;
  /**
   * True for a call that requested no tool and was refused or billed nothing: it failed
   * (`DetectorEvent.failed`, e.g. a 429 or a 400) or reported no tokens. It is a retry of a
   * step, not a step: it neither extends nor breaks a streak.
   */
  refused: boolean;
}

/**
 * D1, identical call: the same requested tool call(s), or the same prompt, in consecutive LLM
 * calls of one agent in a run (see `LoopState`). Tool events in between do not break the
 * streak (they are the execution of the calls), and neither do steps learned to be polling
 * (see `LoopState.isPolling`) or refused calls, which are skipped entirely.
 *
 * Two streaks, by what the call asked for:
 * - a call that requested tools is its tool calls (as in D2: `step = toolCalls || prompt`).
 *   Ladder: warn at `identicalWarnAt` (3), block_tool at `identicalBlockToolAt` (4, the
 *   run's scope plus the fingerprints in evidence so the app can refuse that call), kill at
 *   `identicalKillAt` (5).
 * - a call that requested no tool is its prompt. It has nothing to block, so it goes warn →
 *   kill. A call that requested tools ends this streak: the same document extracted with a
 *   different forced tool each time is one prompt fingerprint (`tool_choice` is not in it)
 *   but different work. The prompt streak counts in session runs too: a loop whose calls are
 *   each a trace of their own (no enclosing span) is seen only there. A Responses chat
 *   continued with `previous_response_id`, where the user types "continue" again, is not one
 *   prompt: the instrumentation puts the previous response's id in the fingerprint, since the
 *   model is sent that conversation.
 *
 * Identical calls sent side by side are one round, not a streak: best-of-n sampling, or
 * sub-agents of one name that start with the same call (see `joinsRound`). A loop's steps
 * cannot overlap, since each re-asks after the answer to the one before.
 *
 * Each rung is emitted once per run and step.
 *
 * @example
 * // llm(get_order{id:1}) → tool → llm(get_order{id:1}) → tool → llm(get_order{id:1}): warn at the third call
 */
export function detectIdenticalCall(
  run: RunState,
  loop: LoopState,
  event: DetectorEvent,
  steps: LlmSteps,
  t: ResolvedThresholds,
  sink: FindingSink,
): void {
  if (steps.refused || (steps.toolCalls !== 0 && loop.isPolling(steps.toolCalls))) return;
  const repeated =
    steps.toolCalls !== 0
      ? loop.toolCallsStreak > 0 && steps.toolCalls === loop.lastToolCalls
      : steps.prompt !== 0 && loop.promptStreak > 0 && steps.prompt === loop.lastPrompt;
  if (joinsRound(loop, event, repeated)) return;

  // A call with no tools ends the tool-call streak; a call with tools, or without a prompt
  // fingerprint, ends the prompt streak.
  loop.toolCallsStreak =
    steps.toolCalls === 0 ? 0 : steps.toolCalls === loop.lastToolCalls ? loop.toolCallsStreak + 1 : 1;
  loop.lastToolCalls = steps.toolCalls;
  const prompt = steps.toolCalls === 0 ? steps.prompt : 0;
  loop.promptStreak = prompt === 0 ? 0 : prompt === loop.lastPrompt ? loop.promptStreak + 1 : 1;
  loop.lastPrompt = prompt;

  if (loop.toolCallsStreak >= 2) {
    const fingerprints = event.toolCallFingerprints.join(",");
    const ladder: [DecisionAction, number][] = [
      ["warn", t.identicalWarnAt],
      ["block_tool", t.identicalBlockToolAt],
      ["kill", t.identicalKillAt],
    ];
    for (const [action, at] of ladder) {
      if (at === 0 || loop.toolCallsStreak < at) continue;
      const detail = action === "kill" ? "" : fingerprints;
      if (!sink.isNew(run, DETECTOR.identicalCall, action, detail)) continue;
      sink.emitRun(
        run,
        DETECTOR.identicalCall,
        action,
        `${loopLabel(run, loop)} requested the same tool call${event.toolCallFingerprints.length > 1 ? "s" : ""} ` +
          `${loop.toolCallsStreak} times in a row${toolCallConsequence(action, t)}.`,
        {
          repeats: loop.toolCallsStreak,
          step: "tool_calls",
          tool_call_fingerprints: [...event.toolCallFingerprints],
          ...agentEvidence(loop),
          warn_at: t.identicalWarnAt,
          block_tool_at: t.identicalBlockToolAt,
          kill_at: t.identicalKillAt,
        },
        detail,
      );
    }
  }

  if (loop.promptStreak >= 2) {
    const ladder: [DecisionAction, number][] = [
      ["warn", t.identicalWarnAt],
      ["kill", t.identicalKillAt],
    ];
    for (const [action, at] of ladder) {
      if (at === 0 || loop.promptStreak < at) continue;
      const detail = action === "kill" ? "" : event.promptFingerprint;
      if (!sink.isNew(run, DETECTOR.identicalCall, action, detail)) continue;
      sink.emitRun(
        run,
        DETECTOR.identicalCall,
        action,
        `${loopLabel(run, loop)} sent the same prompt ${loop.promptStreak} times in a row` +
          `${action === "kill" ? `, the limit is ${t.identicalKillAt}` : killNote(t.identicalKillAt)}.`,
        {
          repeats: loop.promptStreak,
          step: "prompt",
          prompt_fingerprint: event.promptFingerprint,
          ...agentEvidence(loop),
          warn_at: t.identicalWarnAt,
          kill_at: t.identicalKillAt,
        },
        detail,
      );
    }
  }
}

/** Identical calls that start within this many ms of their round's first one can be one round. */
export const ROUND_WINDOW_MS = 100;
/** The most calls one round holds: a wider fan-out counts as a round per this many. */
export const ROUND_MOST_CALLS = 8;
/**
 * How far, in ms, two calls must overlap to be side by side. Span times come from separate
 * clocks: OpenTelemetry JS takes a span's end from `Date.now()` (whole ms) when its start was
 * given, and each span's offset from the monotonic clock is its own, so back-to-back calls
 * can seem to overlap by up to a millisecond. An app that re-asks as soon as a stream's last
 * event arrives overlaps it by less still.
 */
const OVERLAP_MS = 2;

/**
 * True when `event`, a repeat of the streak's step (`repeated`), was sent side by side with
 * the calls of the streak's latest round: it started while all of them were still unanswered
 * (overlapping the earliest to end by more than `OVERLAP_MS`) and within `ROUND_WINDOW_MS` of
 * their start, and the round holds fewer than `ROUND_MOST_CALLS`. It then joins that round and
 * is no further step. Otherwise it starts a round of its own. A call without start and end
 * times joins no round and none joins it, so detection without them is as before.
 *
 * The window and the cap bound what could otherwise pass for a fan-out: re-asks fired without
 * waiting for the answer (a timer, a hedged request) start a new round every 100 ms or every
 * eight calls. Same-name agents that loop side by side in step are counted by rounds, a step of
 * each per round, so they are stopped once each has repeated itself as often as one agent
 * alone would be; out of step, their calls are mostly rounds of their own.
 */
function joinsRound(loop: LoopState, event: DetectorEvent, repeated: boolean): boolean {
  const endNano = event.endUnixNano;
  const start = endNano === undefined ? 0 : Number(event.timeUnixNano) / 1e6;
  const end = endNano === undefined ? 0 : Number(endNano) / 1e6;
  if (!(start > 0 && end >= start)) {
    // Left as they are, the round's times stay small integers in V8, not boxed doubles.
    loop.roundSize = 0;
    return false;
  }
  if (
    repeated &&
    loop.roundSize > 0 &&
    loop.roundSize < ROUND_MOST_CALLS &&
    start < loop.roundEndMs - OVERLAP_MS &&
    loop.roundStartMs < end - OVERLAP_MS &&
    Math.abs(start - loop.roundStartMs) <= ROUND_WINDOW_MS
  ) {
    loop.roundSize++;
    if (end < loop.roundEndMs) loop.roundEndMs = end;
    if (start < loop.roundStartMs) loop.roundStartMs = start;
    return true;
  }
  loop.roundStartMs = start;
  loop.roundEndMs = end;
  loop.roundSize = 1;
  return false;
}

function toolCallConsequence(action: DecisionAction, t: ResolvedThresholds): string {
  if (action === "kill") return `, the limit is ${t.identicalKillAt}`;
  if (action === "block_tool") return `; blocking that call${killNote(t.identicalKillAt)}`;
  return killNote(t.identicalKillAt);
}

function killNote(killAt: number): string {
  return killAt === 0 ? "" : ` (kill at ${killAt})`;
}
