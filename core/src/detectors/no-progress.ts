import { DETECTOR, type DetectorEvent } from "./events.js";
import { type FindingSink, loopLabel } from "./finding.js";
import { agentEvidence, type LoopState, OFFSET, RESULT_RING } from "./loop-state.js";
import type { RunState } from "./run-state.js";
import type { ResolvedThresholds } from "./thresholds.js";

/**
 * D4, no progress: the same tool returns the same result (`burnrate.tool.result_digest`)
 * again and again within one agent's last `noProgressWindow` (20) tool calls in a run, even
 * though the agent changes the arguments, e.g. searching with new queries that all come back
 * empty.
 * Warn at `noProgressWarnAt` (3) occurrences, kill at `noProgressKillAt` (5).
 *
 * It watches trace runs only: a session whose every turn looks the customer up again sees
 * the same result once per trace, which is how stateless per-turn agents work.
 *
 * Results are kept per agent (see `LoopState`): five sub-agents that each read the same
 * schema once have each made progress. Results are keyed by tool, so two different tools
 * answering "[]" are not one lack of progress. Polling tools (the allowlist) and acknowledgement tools (a write that answers
 * "ok" every time) are not passed in at all.
 *
 * @param result `resultHash(toolName, digest)` of this tool event.
 */
export function detectNoProgress(
  run: RunState,
  loop: LoopState,
  event: DetectorEvent,
  result: number,
  t: ResolvedThresholds,
  sink: FindingSink,
): void {
  const ints = loop.ints;
  const window = Math.min(t.noProgressWindow, RESULT_RING);
  const lookBack = Math.min(loop.resultCount, window - 1);
  let occurrences = 1;
  for (let back = 1; back <= lookBack; back++) {
    if (ints[OFFSET.results + ((loop.resultCount - back) & (RESULT_RING - 1))] === result) occurrences++;
  }
  ints[OFFSET.results + (loop.resultCount & (RESULT_RING - 1))] = result;
  loop.resultCount++;
  if (occurrences < 2) return;

  const toolName = event.toolName ?? "";
  const inWindow = Math.min(loop.resultCount, window);
  for (const [action, at] of [
    ["warn", t.noProgressWarnAt],
    ["kill", t.noProgressKillAt],
  ] as const) {
    const detail = action === "kill" ? "" : toolName;
    if (at === 0 || occurrences < at || !sink.isNew(run, DETECTOR.noProgress, action, detail)) continue;
    sink.emitRun(
      run,
      DETECTOR.noProgress,
      action,
      `${loopLabel(run, loop)} got the same result from ${toolName} ${occurrences} times in its last ${inWindow} ` +
        `tool calls${action === "kill" ? `, the limit is ${at}` : t.noProgressKillAt ? ` (kill at ${t.noProgressKillAt})` : ""}.`,
      {
        tool_name: toolName,
        result_digest: event.toolResultDigest,
        occurrences,
        tool_calls_in_window: inWindow,
        ...agentEvidence(loop),
        window: t.noProgressWindow,
        warn_at: t.noProgressWarnAt,
        kill_at: t.noProgressKillAt,
      },
      detail,
    );
  }
}
