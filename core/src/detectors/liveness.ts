import { DETECTOR } from "./events.js";
import { type FindingSink, round, runLabel } from "./finding.js";
import type { RunState } from "./run-state.js";
import type { ResolvedThresholds } from "./thresholds.js";

/**
 * D6, liveness: a run that lives too long or calls the model too often is killed, whatever it
 * does, because a stuck agent can loop in ways no pattern catches. Age is event time from the
 * run's first to its latest step (`runMaxAgeSeconds`, 6 h); calls are LLM calls
 * (`runMaxCalls`, 200; the kill at the 200th stops the 201st). One kill per run.
 */
export function detectLiveness(run: RunState, t: ResolvedThresholds, sink: FindingSink): void {
  const ageSeconds = (run.lastMs - run.firstMs) / 1000;
  const tooOld = t.runMaxAgeSeconds > 0 && ageSeconds >= t.runMaxAgeSeconds;
  const tooMany = t.runMaxCalls > 0 && run.llmCalls >= t.runMaxCalls;
  if ((!tooOld && !tooMany) || !sink.isNew(run, DETECTOR.liveness, "kill")) return;
  const reason = tooMany
    ? `${runLabel(run)} made ${run.llmCalls} LLM calls, its limit is ${t.runMaxCalls}.`
    : `${runLabel(run)} has run for ${formatDuration(ageSeconds)}, its limit is ${formatDuration(t.runMaxAgeSeconds)}.`;
  sink.emitRun(run, DETECTOR.liveness, "kill", reason, {
    limit: tooMany ? "calls" : "age",
    llm_calls: run.llmCalls,
    tokens: run.tokens,
    age_seconds: round(ageSeconds, 3),
    max_calls: t.runMaxCalls,
    max_age_seconds: t.runMaxAgeSeconds,
  });
}

function formatDuration(seconds: number): string {
  if (seconds >= 3600) return `${round(seconds / 3600, 2)} h`;
  if (seconds >= 60) return `${round(seconds / 60, 2)} min`;
  return `${round(seconds, 1)} s`;
}
