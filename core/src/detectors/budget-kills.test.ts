import { describe, expect, it } from "vitest";
import type { BudgetRelease } from "./budget-kills.js";
import { DetectionEngine } from "./engine.js";
import type { DetectorEvent } from "./events.js";
import { Episode, T0_MS } from "./testdata/episode.js";

const HOUR = 3600_000;
const MARCH_ENDS = Date.UTC(2025, 3, 1);
const MONTHLY = {
  id: "alice-month",
  scope: "user",
  match: "alice",
  period: "month",
  limitUsd: "10",
} as const;
/** Big single calls here are budget spend, not a run's burn (D5). */
const NO_D5 = { runMaxUsd: "0", burnRateMaxUsdPerMinute: "0", stepMaxUsd: "0", projectionMinutes: 0 };

/** One priced call of alice's in its own trace, so only budgets see the sum. */
function call(i: number, costUsd: string, ms = T0_MS + i * 60_000): DetectorEvent {
  return new Episode({ traceId: `t${i}`, startMs: ms }).llm(`question ${i}`, { costUsd });
}

/** Alice's $10 monthly budget, and $11 spent: she is stopped until the month ends. */
function killedAlice(): DetectionEngine {
  const engine = new DetectionEngine({ budgets: [MONTHLY], thresholds: NO_D5 });
  const findings = engine.observe(call(1, "11"));
  expect(findings.map((f) => [f.action, f.key])).toEqual([
    ["warn", "budget:warn:user:alice:alice-month:month:2025-03-01:0.5@10"],
    ["warn", "budget:warn:user:alice:alice-month:month:2025-03-01:0.8@10"],
    ["kill", "budget:kill:user:alice:alice-month:month:2025-03-01:1@10"],
  ]);
  return engine;
}

function release(change: "raised" | "removed", reason: string, limit?: string): BudgetRelease {
  return {
    projectId: "proj",
    scope: { user: "alice" },
    reason,
    evidence: {
      budget_id: "alice-month",
      change,
      spent_usd: "11",
      previous_limit_usd: "10",
      ...(limit ? { limit_usd: limit, alert_at: [0.5, 0.8, 1] } : {}),
      period: "month",
      period_start: "2025-03-01",
    },
    key: "budget:kill:user:alice:alice-month:month:2025-03-01:1@10:released",
    releases: "budget:kill:user:alice:alice-month:month:2025-03-01:1@10",
    untilMs: MARCH_ENDS,
  };
}

const RAISED = release(
  "raised",
  "The monthly budget alice-month of user alice now stops it at $100.00, above the $11.00 spent since 2025-03-01; lifting the stop.",
  "100",
);
const REMOVED = release(
  "removed",
  "The monthly budget alice-month, which stopped user alice at $10.00, was deleted or no longer applies to it; lifting the stop.",
);

describe("budget kills lifted by a budget change", () => {
  it("raising the budget above the month's spend lifts the kill; spending past the new limit stops the user again", () => {
    const engine = killedAlice();
    expect(engine.setBudgets([{ ...MONTHLY, limitUsd: "100" }])).toEqual([RAISED]);
    // The same budgets again change nothing: the kill was lifted once.
    expect(engine.setBudgets([{ ...MONTHLY, limitUsd: "100" }])).toEqual([]);
    expect(engine.observe(call(2, "39")).map((f) => f.key)).toEqual([
      "budget:warn:user:alice:alice-month:month:2025-03-01:0.5@100",
    ]);
    expect(engine.observe(call(3, "50")).map((f) => f.key)).toEqual([
      "budget:warn:user:alice:alice-month:month:2025-03-01:0.8@100",
      "budget:kill:user:alice:alice-month:month:2025-03-01:1@100",
    ]);
  });

  it("deleting the budget lifts the kill; re-creating it stops the user again, as a kill of its own", () => {
    const engine = killedAlice();
    expect(engine.setBudgets([])).toEqual([REMOVED]);
    expect(engine.observe(call(2, "1"))).toEqual([]);
    expect(engine.setBudgets([MONTHLY])).toEqual([]);
    // $11 counted before the delete, plus $1: over $10 again. Its warnings were sent already.
    expect(engine.observe(call(3, "1"))).toEqual([
      {
        detector: "budget",
        action: "kill",
        scope: { user: "alice" },
        reason:
          "user alice has spent $12.00 of its $10.00 monthly budget since 2025-03-01 (100% alert; stopping user alice).",
        evidence: {
          budget_id: "alice-month",
          threshold: 1,
          spent_usd: "12",
          limit_usd: "10",
          period: "month",
          period_start: "2025-03-01",
          alert_at: [0.5, 0.8, 1],
        },
        key: "budget:kill:user:alice:alice-month:month:2025-03-01:1@10:after-release-1",
        untilMs: MARCH_ENDS,
      },
    ]);
    // That kill is lifted on its own too.
    expect(engine.setBudgets([]).map((r) => r.releases)).toEqual([
      "budget:kill:user:alice:alice-month:month:2025-03-01:1@10:after-release-1",
    ]);
  });

  it("keeps the kill while the spend still reaches the stop: a raise short of the spend, a lower limit, another budget's change", () => {
    const engine = killedAlice();
    expect(engine.setBudgets([{ ...MONTHLY, limitUsd: "11" }])).toEqual([]);
    const lower = { ...MONTHLY, limitUsd: "2" };
    expect(engine.setBudgets([lower])).toEqual([]);
    expect(engine.observe(call(2, "1")).map((f) => f.key)).toEqual([
      "budget:warn:user:alice:alice-month:month:2025-03-01:0.5@2",
      "budget:warn:user:alice:alice-month:month:2025-03-01:0.8@2",
      "budget:kill:user:alice:alice-month:month:2025-03-01:1@2",
    ]);
    const daily = { id: "alice-day", scope: "user", match: "alice", period: "day", limitUsd: "5" } as const;
    expect(engine.setBudgets([lower, daily])).toEqual([]);
    expect(engine.observe(call(3, "5")).map((f) => f.key)).toEqual([
      "budget:warn:user:alice:alice-day:day:2025-03-14:0.5@5",
      "budget:warn:user:alice:alice-day:day:2025-03-14:0.8@5",
      "budget:kill:user:alice:alice-day:day:2025-03-14:1@5",
    ]);
    // Raising the monthly budget lifts both of its kills, and leaves the daily budget's.
    expect(engine.setBudgets([{ ...MONTHLY, limitUsd: "100" }, daily]).map((r) => r.releases)).toEqual([
      "budget:kill:user:alice:alice-month:month:2025-03-01:1@10",
      "budget:kill:user:alice:alice-month:month:2025-03-01:1@2",
    ]);
  });

  it("lifts a kill when the budget's stop moves above the spend, or when it stops watching the user", () => {
    const engine = killedAlice();
    expect(engine.setBudgets([{ ...MONTHLY, alertAt: [0.5, 1.2] }]).map((r) => r.reason)).toEqual([
      "The monthly budget alice-month of user alice now stops it at $12.00, above the $11.00 spent since 2025-03-01; lifting the stop.",
    ]);
    engine.setBudgets([MONTHLY]);
    expect(engine.observe(call(2, "1")).map((f) => f.key)).toEqual([
      "budget:kill:user:alice:alice-month:month:2025-03-01:1@10:after-release-1",
    ]);
    expect(engine.setBudgets([{ ...MONTHLY, match: "bob" }]).map((r) => r.evidence.change)).toEqual([
      "removed",
    ]);
  });

  it("after a restart, takes a stop the seeded spend had reached as held by the apps, so a raise lifts it", () => {
    const seed = {
      scope: "user",
      id: "alice",
      period: "month",
      periodStart: "2025-03-01",
      spentUsd: "11",
      projectId: "proj",
    } as const;
    const restarted = new DetectionEngine({ budgets: [MONTHLY], thresholds: NO_D5 });
    restarted.seedSpend([seed], { atStart: true });
    // The kill of the same key, so of the same decision id, as the one sent before the restart.
    expect(restarted.setBudgets([{ ...MONTHLY, limitUsd: "100" }])).toEqual([RAISED]);
    // Seeds loaded later (a budget created while running) are no sign of a kill sent before.
    const running = new DetectionEngine({ budgets: [MONTHLY], thresholds: NO_D5 });
    running.seedSpend([seed]);
    expect(running.setBudgets([{ ...MONTHLY, limitUsd: "100" }])).toEqual([]);
  });

  it("keeps a counter that holds a kill when the ledger is full: other users' counters go first", () => {
    const perUser = { id: "per-user", scope: "user", period: "month", limitUsd: "10" } as const;
    const spend = (i: number, user: string, costUsd: string) =>
      new Episode({ traceId: `t${i}`, user, startMs: T0_MS + i * 60_000 }).llm(`q${i}`, { costUsd });
    const engine = new DetectionEngine({ budgets: [perUser], thresholds: NO_D5, maxSpendCounters: 3 });
    expect(engine.observe(spend(1, "alice", "11")).map((f) => f.action)).toContain("kill");
    // Alice's apps are stopped, so she spends no more; three other users do.
    for (const [i, user] of ["bob", "carol", "dave"].entries()) engine.observe(spend(2 + i, user, "0.01"));
    const releases = engine.setBudgets([{ ...perUser, limitUsd: "1000" }]);
    expect(releases.map((r) => r.scope)).toEqual([{ user: "alice" }]);
  });

  it("when every counter holds a kill, a new one still evicts the oldest, keeping the bound", () => {
    const perUser = { id: "per-user", scope: "user", period: "month", limitUsd: "10" } as const;
    const spend = (i: number, user: string, costUsd: string) =>
      new Episode({ traceId: `t${i}`, user, startMs: T0_MS + i * 60_000 }).llm(`q${i}`, { costUsd });
    const engine = new DetectionEngine({ budgets: [perUser], thresholds: NO_D5, maxSpendCounters: 2 });
    engine.observe(spend(1, "alice", "11"));
    engine.observe(spend(2, "bob", "11"));
    engine.observe(spend(3, "carol", "0.01"));
    expect(engine.setBudgets([{ ...perUser, limitUsd: "1000" }]).map((r) => r.scope)).toEqual([
      { user: "bob" },
    ]);
  });

  it("forgets a kill once its month is over, so a later change lifts nothing", () => {
    const engine = killedAlice();
    expect(engine.observe(call(2, "1", Date.UTC(2025, 3, 2)))).toEqual([]);
    expect(engine.setBudgets([])).toEqual([]);
    expect(engine.observe(call(3, "1", Date.UTC(2025, 3, 2) + HOUR))).toEqual([]);
  });
});
