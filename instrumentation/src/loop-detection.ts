import { DetectionEngine } from "@burnrate/core";
import type { GuardConfig } from "./guard-config.js";

/** Every detector the guard does not run, switched off: loop detection here is D1 and D2 only. */
const OTHER_DETECTORS_OFF = {
  identicalWarnAt: 0,
  identicalBlockToolAt: 0,
  cycleWarnAt: 0,
  pingPongWarnRounds: 0,
  pingPongKillRounds: 0,
  noProgressWarnAt: 0,
  noProgressKillAt: 0,
  burnRateMaxUsdPerMinute: "0",
  runMaxUsd: "0",
  stepMaxUsd: "0",
  projectionMinutes: 0,
  runMaxAgeSeconds: 0,
  runMaxCalls: 0,
};

/**
 * How long a local loop stop holds: an hour, as the collector's kill lasts by default. A run
 * that goes on repeating the same step after that is stopped again at its next repeat (the
 * engine renews a kill once this long has passed); one that moved on is not.
 */
export const LOOP_STOP_SECONDS = 3600;

/** Core's detection engine with D1 killing at `identicalCalls` and D2 at `cycleRepeats`; none when both are off. */
export function loopDetection(config: GuardConfig, maxRuns: number): DetectionEngine | undefined {
  if (config.identicalCalls === 0 && config.cycleRepeats === 0) return undefined;
  return new DetectionEngine({
    thresholds: {
      ...OTHER_DETECTORS_OFF,
      identicalKillAt: config.identicalCalls,
      cycleKillAt: config.cycleRepeats,
    },
    allowlist: config.loopAllowlist,
    maxRuns,
    killRenewSeconds: LOOP_STOP_SECONDS,
  });
}
