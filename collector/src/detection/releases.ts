import { type BudgetRelease, DETECTOR, type Decision, type Finding } from "@burnrate/core";
import { type DecisionTtls, toDecision } from "./decisions.js";

/**
 * A budget release as a `release` decision, which names the kill it lifts in `releases`. Both
 * ids come from `toDecision`, so `releases` is the id the kill's own decision carried. It
 * expires when the kill would have: the hub holds it as long, for apps that resume a stream.
 */
export function toRelease(release: BudgetRelease, ttlSeconds: DecisionTtls, now = Date.now()): Decision {
  const finding: Finding = {
    detector: DETECTOR.budget,
    action: "kill",
    scope: release.scope,
    reason: release.reason,
    evidence: release.evidence,
    key: release.key,
    untilMs: release.untilMs,
  };
  const kill = toDecision(release.projectId, { ...finding, key: release.releases }, ttlSeconds, now);
  return {
    ...toDecision(release.projectId, finding, ttlSeconds, now),
    action: "release",
    releases: kill.decision_id,
  };
}
