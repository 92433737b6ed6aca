import {
  DEFAULT_PROJECT,
  DETECTOR,
  type Decision,
  type DetectionConfigInput,
  DetectionEngine,
  type DetectorEvent,
  type Thresholds,
} from "@burnrate/core";
import { afterAll, describe, expect, it } from "vitest";
import { BurnrateStopError } from "../errors.js";
import { KillSwitch } from "./kill-switch.js";
import { stopError } from "./stop-error.js";
import {
  decisionEvent,
  openStream,
  type StreamServer,
  startStreamServer,
  until,
} from "./testdata/stream-server.js";

const servers: StreamServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

/** Every detector off, so each case below is the work of one. */
const OFF: Partial<Thresholds> = {
  identicalWarnAt: 0,
  identicalBlockToolAt: 0,
  identicalKillAt: 0,
  cycleWarnAt: 0,
  cycleKillAt: 0,
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
const T0_MS = Date.parse("2025-06-02T10:00:00Z");

/** `count` steps of trace t-1, one second apart: LLM calls at 1 cent unless `step` says otherwise. */
function steps(count: number, step: (i: number) => Partial<DetectorEvent> = () => ({})): DetectorEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: "llm_call",
    projectId: DEFAULT_PROJECT,
    traceId: "t-1",
    spanId: `span-${i}`,
    sessionId: "",
    service: "app",
    agent: "",
    feature: "",
    user: "",
    tenant: "",
    timeUnixNano: BigInt(T0_MS + i * 1000) * 1_000_000n,
    costUsd: "0.01",
    tokens: 100,
    promptFingerprint: "same-prompt",
    toolCallFingerprints: [],
    ...step(i),
  }));
}

/** The collector's kill for these steps, made by the real detectors as the collector makes it. */
function collectorKill(config: DetectionConfigInput, events: DetectorEvent[]): Decision {
  const engine = new DetectionEngine(config);
  const kills = events.flatMap((event) => engine.observe(event)).filter((f) => f.action === "kill");
  expect(kills).toHaveLength(1);
  const [finding] = kills;
  const now = Date.now();
  return {
    decision_id: `dec_${finding!.detector}`,
    project_id: DEFAULT_PROJECT,
    action: "kill",
    scope: finding!.scope,
    detector: finding!.detector,
    reason: finding!.reason,
    evidence: finding!.evidence,
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + 3_600_000).toISOString(),
  };
}

interface Stop {
  error: string;
  scope: Record<string, string>;
  measure: string;
  spent: number;
  limit: number;
}

/** A kill each detector that can kill makes, and what the app's error must say of it. */
const CASES: [string, () => Decision, Stop][] = [
  [
    "D1, the same prompt 5 times",
    () => collectorKill({ thresholds: { ...OFF, identicalKillAt: 5 } }, steps(5)),
    { error: "RunawayLoopError", scope: { trace_id: "t-1" }, measure: "identical_calls", spent: 5, limit: 5 },
  ],
  [
    "D2, a cycle of two calls 5 times",
    () =>
      collectorKill(
        { thresholds: { ...OFF, cycleKillAt: 5 } },
        steps(10, (i) => ({ promptFingerprint: i % 2 ? "plan" : "search" })),
      ),
    { error: "RunawayLoopError", scope: { trace_id: "t-1" }, measure: "cycle_repeats", spent: 5, limit: 5 },
  ],
  [
    "D3, two agents trading the same turns for 6 rounds",
    () =>
      collectorKill(
        { thresholds: { ...OFF, pingPongKillRounds: 6 } },
        steps(14, (i) => ({ agent: i % 2 ? "a" : "b", promptFingerprint: i % 2 ? "ask" : "answer" })),
      ),
    {
      error: "RunawayLoopError",
      scope: { trace_id: "t-1" },
      measure: "ping_pong_rounds",
      spent: 6,
      limit: 6,
    },
  ],
  [
    "D4, the same tool result 5 times",
    () =>
      collectorKill(
        { thresholds: { ...OFF, noProgressKillAt: 5 } },
        steps(5, () => ({
          kind: "tool",
          costUsd: "0",
          promptFingerprint: "",
          toolName: "search",
          toolResultDigest: "empty",
        })),
      ),
    { error: "RunawayLoopError", scope: { trace_id: "t-1" }, measure: "same_results", spent: 5, limit: 5 },
  ],
  [
    "D5 burn rate, $6 in a minute against $5/min",
    () =>
      collectorKill(
        { thresholds: { ...OFF, burnRateMaxUsdPerMinute: "5" } },
        steps(6, () => ({ costUsd: "1" })),
      ),
    { error: "RunawayLoopError", scope: { trace_id: "t-1" }, measure: "usd_per_minute", spent: 6, limit: 5 },
  ],
  [
    "D5 run cost, $11 against $10",
    () =>
      collectorKill(
        { thresholds: { ...OFF, runMaxUsd: "10" } },
        steps(11, () => ({ costUsd: "1" })),
      ),
    { error: "BudgetExceededError", scope: { trace_id: "t-1" }, measure: "cost_usd", spent: 11, limit: 10 },
  ],
  [
    "D6 liveness, 3 calls against 3",
    () => collectorKill({ thresholds: { ...OFF, runMaxCalls: 3 } }, steps(3)),
    { error: "RunawayLoopError", scope: { trace_id: "t-1" }, measure: "calls", spent: 3, limit: 3 },
  ],
  [
    "D6 liveness, 80 s old against 60 s",
    () =>
      collectorKill(
        { thresholds: { ...OFF, runMaxAgeSeconds: 60 } },
        steps(3, (i) => ({ timeUnixNano: BigInt(T0_MS + i * 40_000) * 1_000_000n })),
      ),
    { error: "RunawayLoopError", scope: { trace_id: "t-1" }, measure: "age_seconds", spent: 80, limit: 60 },
  ],
  [
    "a trace budget, $2 of $2",
    () =>
      collectorKill(
        { thresholds: OFF, budgets: [{ id: "per-trace", scope: "trace", limitUsd: "2" }] },
        steps(3, () => ({ costUsd: "1" })),
      ),
    { error: "BudgetExceededError", scope: { trace_id: "t-1" }, measure: "cost_usd", spent: 2, limit: 2 },
  ],
  [
    "a user's daily budget, $3 of $2.50",
    () =>
      collectorKill(
        {
          thresholds: OFF,
          budgets: [{ id: "alice-day", scope: "user", match: "alice", limitUsd: "2.5", period: "day" }],
        },
        steps(3, () => ({ user: "alice", costUsd: "1" })),
      ),
    { error: "BudgetExceededError", scope: { user: "alice" }, measure: "cost_usd", spent: 3, limit: 2.5 },
  ],
];

/** Sends `decision` on a real decision stream and returns what the error of the next call in its scope reports. */
async function stopFor(decision: Decision): Promise<Stop | undefined> {
  const server = await startStreamServer((res) => openStream(res, decisionEvent("1", decision)));
  servers.push(server);
  const killSwitch = new KillSwitch({ endpoint: server.url, service: "app", enabled: true });
  killSwitch.ensureStarted();
  await until(() => killSwitch.hasKills);
  try {
    killSwitch.check(decision.scope as Record<string, string>);
  } catch (error) {
    if (!(error instanceof BurnrateStopError)) throw error;
    const { name, scope, measure, spent, limit } = error;
    return { error: name, scope, measure, spent, limit };
  }
  return undefined;
}

describe("the error of a call the collector stopped", () => {
  it.each(CASES)("reports what was measured, the amount and the limit: %s", async (_, kill, expected) => {
    expect(await stopFor(kill())).toEqual(expected);
  });

  it("says which detector stopped it, with no amounts, when it does not know that detector's evidence", async () => {
    const now = Date.now();
    const decision: Decision = {
      decision_id: "dec_future",
      project_id: DEFAULT_PROJECT,
      action: "kill",
      scope: { session_id: "s-1" },
      detector: "D9.future_detector",
      reason: "session s-1 did something a later collector knows about.",
      evidence: { widgets: 7, widget_limit: 5 },
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + 3_600_000).toISOString(),
    };
    expect(await stopFor(decision)).toEqual({
      error: "RunawayLoopError",
      scope: { session_id: "s-1" },
      measure: "D9.future_detector",
      spent: Number.NaN,
      limit: Number.NaN,
    });
  });

  it("ends the detector's sentence before the hint", () => {
    const decision: Decision = {
      decision_id: "dec_4f1c",
      project_id: DEFAULT_PROJECT,
      action: "kill",
      scope: { trace_id: "t-1" },
      detector: DETECTOR.identicalCall,
      reason: "agent planner in trace t-1 sent the same prompt 5 times in a row, the limit is 5.",
      evidence: { repeats: 5, kill_at: 5 },
      created_at: new Date(T0_MS).toISOString(),
      expires_at: new Date(T0_MS + 3_600_000).toISOString(),
    };
    expect(stopError(decision).message).toBe(
      "agent planner in trace t-1 sent the same prompt 5 times in a row, the limit is 5; " +
        "the collector stopped this scope (decision dec_4f1c); see GET /v1/incidents/dec_4f1c",
    );
  });

  it("covers every detector that can kill", () => {
    const kinds = new Set(CASES.map(([, kill]) => kill().detector));
    const killers = Object.values(DETECTOR).filter(
      (d) => d !== DETECTOR.stepCost && d !== DETECTOR.projection,
    );
    expect([...kinds].sort()).toEqual([...killers].sort());
  });
});
