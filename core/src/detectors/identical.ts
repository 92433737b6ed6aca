import type { DecisionAction } from "../decision.js";
import { DETECTOR, type DetectorEvent } from "./events.js";
import { type FindingSink, runLabel } from "./finding.js";
import type { RunState } from "./run-state.js";
import type { ResolvedThresholds } from "./thresholds.js";

/** The hashed steps of one LLM call, computed once per event and shared by its trace and session runs. */
export interface LlmSteps {
  /** `toolCallsStep` of the requested calls, or 0 when the model requested none. */
  toolCalls: number;
  /** `promptStep` of the prompt fingerprint, or 0 when the span had none. */
  prompt: number;
}

/**
 * D1, identical call: the same requested tool call(s), or the same prompt, in consecutive LLM
 * calls of a run. Tool events in between do not break the streak (they are the execution of
 * the calls), and neither do steps learned to be polling (see `RunState.isPolling`), which
 * are skipped entirely.
 *
 * Ladder, for a repeated tool call: warn at `identicalWarnAt` (3), block_tool at
 * `identicalBlockToolAt` (4, the run's scope plus the fingerprints in evidence so the app can
 * refuse that call), kill at `identicalKillAt` (5). A repeated prompt that requested no tool
 * has nothing to block, so it goes warn → kill. Each rung is emitted once per run and step.
 *
 * @example
 * // llm(get_order{id:1}) → tool → llm(get_order{id:1}) → tool → llm(get_order{id:1}): warn at the third call
 */
export function detectIdenticalCall(
  run: RunState,
  event: DetectorEvent,
  steps: LlmSteps,
  t: ResolvedThresholds,
  sink: FindingSink,
): void {
  if (steps.toolCalls !== 0 && run.isPolling(steps.toolCalls)) return;

  // A call with no tools, or without a prompt fingerprint, ends that streak.
  run.toolCallsStreak =
    steps.toolCalls === 0 ? 0 : steps.toolCalls === run.lastToolCalls ? run.toolCallsStreak + 1 : 1;
  run.lastToolCalls = steps.toolCalls;
  run.promptStreak = steps.prompt === 0 ? 0 : steps.prompt === run.lastPrompt ? run.promptStreak + 1 : 1;
  run.lastPrompt = steps.prompt;

  if (run.toolCallsStreak >= 2) {
    const fingerprints = event.toolCallFingerprints.join(",");
    const ladder: [DecisionAction, number][] = [
      ["warn", t.identicalWarnAt],
      ["block_tool", t.identicalBlockToolAt],
      ["kill", t.identicalKillAt],
    ];
    for (const [action, at] of ladder) {
      if (at === 0 || run.toolCallsStreak < at) continue;
      const detail = action === "kill" ? "" : fingerprints;
      if (!sink.isNew(run, DETECTOR.identicalCall, action, detail)) continue;
      sink.emitRun(
        run,
        DETECTOR.identicalCall,
        action,
        `${runLabel(run)} requested the same tool call${event.toolCallFingerprints.length > 1 ? "s" : ""} ` +
          `${run.toolCallsStreak} times in a row${toolCallConsequence(action, t)}.`,
        {
          repeats: run.toolCallsStreak,
          step: "tool_calls",
          tool_call_fingerprints: [...event.toolCallFingerprints],
          warn_at: t.identicalWarnAt,
          block_tool_at: t.identicalBlockToolAt,
          kill_at: t.identicalKillAt,
        },
        detail,
      );
    }
  }

  if (run.promptStreak >= 2) {
    const ladder: [DecisionAction, number][] = [
      ["warn", t.identicalWarnAt],
      ["kill", t.identicalKillAt],
    ];
    for (const [action, at] of ladder) {
      if (at === 0 || run.promptStreak < at) continue;
      const detail = action === "kill" ? "" : event.promptFingerprint;
      if (!sink.isNew(run, DETECTOR.identicalCall, action, detail)) continue;
      sink.emitRun(
        run,
        DETECTOR.identicalCall,
        action,
        `${runLabel(run)} sent the same prompt ${run.promptStreak} times in a row` +
          `${action === "kill" ? `, the limit is ${t.identicalKillAt}` : killNote(t.identicalKillAt)}.`,
        {
          repeats: run.promptStreak,
          step: "prompt",
          prompt_fingerprint: event.promptFingerprint,
          warn_at: t.identicalWarnAt,
          kill_at: t.identicalKillAt,
        },
        detail,
      );
    }
  }
}

function toolCallConsequence(action: DecisionAction, t: ResolvedThresholds): string {
  if (action === "kill") return `, the limit is ${t.identicalKillAt}`;
  if (action === "block_tool") return `; blocking that call${killNote(t.identicalKillAt)}`;
  return killNote(t.identicalKillAt);
}

function killNote(killAt: number): string {
  return killAt === 0 ? "" : ` (kill at ${killAt})`;
}
