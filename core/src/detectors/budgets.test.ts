import { describe, expect, it } from "vitest";
import { DetectionEngine } from "./engine.js";
import type { DetectorEvent, Finding } from "./events.js";
import { Episode, T0_MS } from "./testdata/episode.js";

const HOUR = 3600_000;
const MONTHLY = {
  id: "alice-month",
  scope: "user",
  match: "alice",
  period: "month",
  limitUsd: "10",
} as const;

/** One priced call in its own trace, so only budgets (not per-run detectors) see the sum. */
function call(
  i: number,
  costUsd: string,
  ms: number,
  attribution: Partial<DetectorEvent> = {},
): DetectorEvent {
  const event = new Episode({ traceId: `t${i}`, startMs: ms }).llm(`question ${i}`, { costUsd });
  return { ...event, ...attribution };
}

/** Observes the calls and returns, per call (1-based), the findings it produced. */
function observeAll(engine: DetectionEngine, events: DetectorEvent[]): Record<number, Finding[]> {
  const byCall: Record<number, Finding[]> = {};
  events.forEach((event, i) => {
    const findings = engine.observe(event);
    if (findings.length > 0) byCall[i + 1] = findings;
  });
  return byCall;
}

/** When each month a test spends in ends: a month's kill lasts until then. */
const MONTH_ENDS: Record<string, number> = {
  "2025-02-01": Date.UTC(2025, 2, 1),
  "2025-03-01": Date.UTC(2025, 3, 1),
  "2025-04-01": Date.UTC(2025, 4, 1),
};

function userFinding(threshold: number, spent: string, periodStart: string, limit = "10"): Finding {
  const action = threshold >= 1 ? "kill" : "warn";
  const dollarsSpent = `$${Number(spent).toFixed(2)}`;
  const dollarsLimit = `$${Number(limit).toFixed(2)}`;
  return {
    detector: "budget",
    action,
    scope: { user: "alice" },
    reason:
      `user alice has spent ${dollarsSpent} of its ${dollarsLimit} monthly budget since ${periodStart} ` +
      `(${threshold * 100}% alert${action === "kill" ? "; stopping user alice" : ""}).`,
    evidence: {
      budget_id: "alice-month",
      threshold,
      spent_usd: spent,
      limit_usd: limit,
      period: "month",
      period_start: periodStart,
      alert_at: [0.5, 0.8, 1],
    },
    key: `budget:${action}:user:alice:alice-month:month:${periodStart}:${threshold}@${limit}`,
    ...(action === "kill" ? { untilMs: MONTH_ENDS[periodStart] } : {}),
  };
}

describe("budgets", () => {
  it("alerts at 50%, 80% and 100% of a user's month, in order and once each; a new month starts fresh", () => {
    const engine = new DetectionEngine({ budgets: [MONTHLY] });
    const march = Array.from({ length: 12 }, (_, i) => call(i, "1", T0_MS + i * HOUR));
    const april = Array.from({ length: 5 }, (_, i) => call(100 + i, "1", Date.UTC(2025, 3, 2) + i * HOUR));
    expect(observeAll(engine, [...march, ...april])).toEqual({
      5: [userFinding(0.5, "5", "2025-03-01")],
      8: [userFinding(0.8, "8", "2025-03-01")],
      10: [userFinding(1, "10", "2025-03-01")],
      17: [userFinding(0.5, "5", "2025-04-01")],
    });
  });

  it("emits every level one call jumps across, mildest first", () => {
    const engine = new DetectionEngine({ budgets: [{ ...MONTHLY, limitUsd: "1" }] });
    expect(engine.observe(call(1, "1.5", T0_MS))).toEqual([
      userFinding(0.5, "1.5", "2025-03-01", "1"),
      userFinding(0.8, "1.5", "2025-03-01", "1"),
      userFinding(1, "1.5", "2025-03-01", "1"),
    ]);
  });

  it("runs daily budgets per UTC day and applies them to each feature separately", () => {
    const engine = new DetectionEngine({
      budgets: [{ id: "feature-day", scope: "feature", period: "day", limitUsd: "2", alertAt: [1] }],
    });
    // Calls every 3 h from 09:00: the 4th (18:00) reaches $2.00; 00:00 next day is a new day.
    const support = Array.from({ length: 6 }, (_, i) => call(i, "0.5", T0_MS + i * 3 * HOUR));
    const search = call(50, "1.5", T0_MS, { feature: "search" });
    expect(observeAll(engine, [search, ...support])).toEqual({
      5: [
        {
          detector: "budget",
          action: "kill",
          scope: { feature: "support" },
          reason:
            "feature support has spent $2.00 of its $2.00 daily budget since 2025-03-14 (100% alert; stopping feature support).",
          evidence: {
            budget_id: "feature-day",
            threshold: 1,
            spent_usd: "2",
            limit_usd: "2",
            period: "day",
            period_start: "2025-03-14",
            alert_at: [1],
          },
          key: "budget:kill:feature:support:feature-day:day:2025-03-14:1@2",
          // The stop holds until the day is over.
          untilMs: Date.UTC(2025, 2, 15),
        },
      ],
    });
  });

  it("applies a matched budget only to its id and project", () => {
    const engine = new DetectionEngine({
      budgets: [
        { id: "acme", scope: "tenant", match: "acme", projectId: "proj", limitUsd: "1", alertAt: [1] },
        { id: "other-project", scope: "tenant", projectId: "proj-b", limitUsd: "0.5", alertAt: [1] },
      ],
    });
    const globex = call(1, "5", T0_MS, { tenant: "globex", user: "bob" });
    expect(engine.observe(globex).filter((f) => f.detector === "budget")).toEqual([]);
    expect(engine.observe(call(2, "1", T0_MS + HOUR)).map((f) => f.key)).toEqual([
      "budget:kill:tenant:acme:acme:month:2025-03-01:1@1",
    ]);
  });

  it("seedSpend: after a restart the month resumes from storage, so 100% comes early and 50%/80% are not repeated", () => {
    const before = new DetectionEngine({ budgets: [MONTHLY] });
    const first = observeAll(
      before,
      Array.from({ length: 6 }, (_, i) => call(i, "1.5", T0_MS + i * HOUR)),
    );
    expect(Object.values(first).flat()).toEqual([
      userFinding(0.5, "6", "2025-03-01"),
      userFinding(0.8, "9", "2025-03-01"),
    ]);

    const after = new DetectionEngine({ budgets: [MONTHLY] });
    after.seedSpend([
      { scope: "user", id: "alice", period: "month", periodStart: "2025-03-01", spentUsd: "9" },
    ]);
    expect(after.observe(call(7, "1.5", T0_MS + 7 * HOUR))).toEqual([userFinding(1, "10.5", "2025-03-01")]);
  });

  it("seedSpend: a late span of the month before, buffered across midnight, leaves the seed for this month", () => {
    const engine = new DetectionEngine({ budgets: [MONTHLY] });
    engine.seedSpend([
      {
        scope: "user",
        id: "alice",
        period: "month",
        periodStart: "2025-03-01",
        spentUsd: "9",
        projectId: "default",
      },
    ]);
    const late = call(1, "0.01", Date.parse("2025-02-28T23:59:59Z"));
    expect(engine.observe({ ...late, projectId: "default" })).toEqual([]);
    expect(engine.observe({ ...call(2, "1.5", T0_MS), projectId: "default" })).toEqual([
      userFinding(1, "10.5", "2025-03-01"),
    ]);
  });

  it("seedSpend: a seed with no project goes to the first project that spends, not to every one", () => {
    const engine = new DetectionEngine({ budgets: [MONTHLY] });
    engine.seedSpend([
      { scope: "user", id: "alice", period: "month", periodStart: "2025-03-01", spentUsd: "9" },
    ]);
    expect(engine.observe({ ...call(1, "1.5", T0_MS), projectId: "p1" })).toEqual([
      userFinding(1, "10.5", "2025-03-01"),
    ]);
    // Project p2's alice starts the month at $0: $1.50 is not even half of $10.
    expect(engine.observe({ ...call(2, "1.5", T0_MS + HOUR), projectId: "p2" })).toEqual([]);
  });

  it("seedSpend: a date-time without a zone is UTC, whatever the machine's time zone", () => {
    const zone = process.env.TZ;
    process.env.TZ = "Asia/Tokyo"; // 2025-03-01T00:00 there is still February in UTC
    try {
      const engine = new DetectionEngine({ budgets: [MONTHLY] });
      engine.seedSpend([
        { scope: "user", id: "alice", period: "month", periodStart: "2025-03-01T00:00:00", spentUsd: "9" },
      ]);
      expect(engine.observe(call(1, "1.5", T0_MS))).toEqual([userFinding(1, "10.5", "2025-03-01")]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("seedSpend: ignores a seed for a finished period and a seed of another project", () => {
    const engine = new DetectionEngine({ budgets: [MONTHLY] });
    engine.seedSpend([
      { scope: "user", id: "alice", period: "month", periodStart: "2025-02-01", spentUsd: "9.9" },
      {
        scope: "user",
        id: "alice",
        period: "month",
        periodStart: "2025-03-01",
        spentUsd: "9.9",
        projectId: "proj-b",
      },
    ]);
    expect(engine.observe(call(1, "0.5", T0_MS))).toEqual([]);
    expect(() =>
      engine.seedSpend([{ scope: "user", id: "alice", period: "month", periodStart: "soon", spentUsd: "1" }]),
    ).toThrow('seedSpend[0].periodStart: not an ISO date: "soon"');
  });

  it("seedSpend while running: a live counter keeps the larger amount and alerts on what it crosses", () => {
    const engine = new DetectionEngine({ budgets: [MONTHLY] });
    for (let i = 0; i < 3; i++) expect(engine.observe(call(i, "1", T0_MS + i * HOUR))).toEqual([]);
    engine.seedSpend([
      { scope: "user", id: "alice", period: "month", periodStart: "2025-03-20", spentUsd: "7" },
    ]);
    expect(engine.observe(call(3, "1", T0_MS + 3 * HOUR))).toEqual([
      userFinding(0.5, "8", "2025-03-01"),
      userFinding(0.8, "8", "2025-03-01"),
    ]);
    expect(() =>
      engine.seedSpend([
        { scope: "user", id: "bob", period: "month", periodStart: "2025-03-01", spentUsd: "40" },
        { scope: "team", id: "x", period: "month", periodStart: "2025-03-01", spentUsd: "1" } as never,
      ]),
    ).toThrow(/^seedSpend\[1\]\.scope: /);
  });

  it("setBudgets: a lowered limit stops the scope on its next priced call; removed budgets go quiet", () => {
    const engine = new DetectionEngine({ budgets: [MONTHLY] });
    for (let i = 0; i < 3; i++) expect(engine.observe(call(i, "1", T0_MS + i * HOUR))).toEqual([]);
    engine.setBudgets([{ ...MONTHLY, limitUsd: "3" }]);
    expect(engine.observe(call(3, "1", T0_MS + 3 * HOUR))).toEqual([
      userFinding(0.5, "4", "2025-03-01", "3"),
      userFinding(0.8, "4", "2025-03-01", "3"),
      userFinding(1, "4", "2025-03-01", "3"),
    ]);
    engine.setBudgets([]);
    expect(engine.observe(call(4, "20", T0_MS + 4 * HOUR)).filter((f) => f.detector === "budget")).toEqual(
      [],
    );
  });

  it("checks trace and session budgets against the run's exact total", () => {
    const engine = new DetectionEngine({
      thresholds: { projectionMinutes: 0 },
      budgets: [{ id: "per-session", scope: "session", limitUsd: "2" }],
    });
    const byCall: Record<number, string[]> = {};
    for (let i = 0; i < 6; i++) {
      // One session across six traces.
      const event = new Episode({ traceId: `t${i}`, sessionId: "chat-9", startMs: T0_MS + i * 60_000 }).llm(
        `q${i}`,
        {
          costUsd: "0.4",
        },
      );
      const findings = engine.observe(event);
      if (findings.length > 0) byCall[i + 1] = findings.map((f) => `${f.action} ${f.reason}`);
    }
    expect(byCall).toEqual({
      3: ["warn session chat-9 has spent $1.20 of its $2.00 budget (50% alert)."],
      4: ["warn session chat-9 has spent $1.60 of its $2.00 budget (80% alert)."],
      5: ["kill session chat-9 has spent $2.00 of its $2.00 budget (100% alert; stopping it)."],
    });
  });

  it("rejects a malformed budget with the field named", () => {
    const engine = new DetectionEngine();
    expect(() => engine.setBudgets([{ id: "x", scope: "trace", period: "day", limitUsd: "1" }])).toThrow(
      "a trace budget has no period",
    );
    expect(() => engine.setBudgets([{ id: "x", scope: "user", limitUsd: "ten" }])).toThrow("limitUsd");
  });
});
