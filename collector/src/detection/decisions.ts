import { type Decision, digest, type Finding } from "@burnrate/core";

export interface DecisionTtls {
  warn: number;
  block_tool: number;
  kill: number;
}

/**
 * A finding as a decision for the app. The id is derived from the project and the finding's
 * key, so the same situation seen again (a retried export, a budget period after a restart)
 * produces the same decision id, which webhook receivers and the incidents table dedupe on.
 * A run's key carries the run's first event time, so a run that was dropped (idle past the
 * TTL, or a collector restart) and is killed again later is a new decision with a new id.
 */
export function toDecision(
  projectId: string,
  finding: Finding,
  ttlSeconds: DecisionTtls,
  now = Date.now(),
): Decision {
  const action = finding.action;
  return {
    decision_id: `dec_${digest(`${projectId}\u0000${finding.key}`)}`,
    project_id: projectId,
    action,
    scope: finding.scope,
    detector: finding.detector,
    reason: finding.reason,
    evidence: finding.evidence,
    created_at: new Date(now).toISOString(),
    expires_at: new Date(finding.untilMs ?? now + ttlSeconds[action] * 1000).toISOString(),
  };
}
