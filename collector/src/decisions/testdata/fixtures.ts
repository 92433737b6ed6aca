import type { Decision, DecisionAction } from "@burnrate/core";
import type { Registry } from "prom-client";

/** A valid signing secret for tests (24 random bytes, base64). */
export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** A decision as the loop detector would publish it. */
export function decision(id: string, action: DecisionAction = "kill"): Decision {
  return {
    decision_id: id,
    project_id: "proj_1",
    action,
    scope: { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", service: "support-agent" },
    detector: "D1.identical_call",
    reason: "the same tool call repeated 6 times in 40 s",
    evidence: { repeats: 6, window_seconds: 40, threshold: 5 },
    created_at: "2025-01-01T12:00:00.000Z",
    expires_at: "2025-01-01T12:15:00.000Z",
  };
}

/** A Logger that keeps its lines, prefixed with their level. */
export function memoryLog() {
  const lines: string[] = [];
  return {
    lines,
    info: (message: string) => lines.push(`info: ${message}`),
    warn: (message: string) => lines.push(`warn: ${message}`),
    error: (message: string) => lines.push(`error: ${message}`),
  };
}

/** The webhook counters' values in `registry`, as one object. */
export async function webhookCounts(registry: Registry) {
  const deliveries = await registry.getSingleMetric("burnrate_webhook_deliveries_total")?.get();
  const attempts = await registry.getSingleMetric("burnrate_webhook_attempts_total")?.get();
  return {
    deliveries: Object.fromEntries((deliveries?.values ?? []).map((v) => [v.labels.result, v.value])),
    attempts: attempts?.values[0]?.value ?? 0,
  };
}
