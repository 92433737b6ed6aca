import { DetectionEngine, decisionSchema, type Finding } from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { toDecision } from "./decisions.js";
import { toRelease } from "./releases.js";

const TTL = { warn: 600, block_tool: 600, kill: 3600 };
const T0 = Date.UTC(2025, 2, 14, 9);

describe("toRelease", () => {
  it("names the id of the kill's own decision, and lasts as long as the kill", () => {
    const engine = new DetectionEngine({
      thresholds: { runMaxUsd: "0", burnRateMaxUsdPerMinute: "0", stepMaxUsd: "0", projectionMinutes: 0 },
      budgets: [{ id: "alice-month", scope: "user", match: "alice", limitUsd: "20", alertAt: [1] }],
    });
    const [kill] = engine.observe({
      kind: "llm_call",
      projectId: "proj",
      traceId: "t1",
      spanId: "s1",
      sessionId: "",
      service: "svc",
      agent: "",
      feature: "",
      user: "alice",
      tenant: "",
      timeUnixNano: BigInt(T0) * 1_000_000n,
      costUsd: "21",
      tokens: 10,
      promptFingerprint: "p",
      toolCallFingerprints: [],
    }) as [Finding];
    const killDecision = toDecision("proj", kill, TTL, T0);
    const [release] = engine.setBudgets([]);
    const decision = toRelease(release!, TTL, T0 + 1000);
    expect(decision).toEqual({
      decision_id: expect.stringMatching(/^dec_[0-9a-f]+$/),
      project_id: "proj",
      action: "release",
      releases: killDecision.decision_id,
      scope: { user: "alice" },
      detector: "budget",
      reason:
        "The monthly budget alice-month, which stopped user alice at $20.00, was deleted or no longer applies to it; lifting the stop.",
      evidence: {
        budget_id: "alice-month",
        change: "removed",
        spent_usd: "21",
        previous_limit_usd: "20",
        period: "month",
        period_start: "2025-03-01",
      },
      created_at: new Date(T0 + 1000).toISOString(),
      expires_at: killDecision.expires_at,
    });
    expect(decision.decision_id).not.toBe(killDecision.decision_id);
    expect(decisionSchema.parse(decision)).toEqual(decision);
  });
});
