import { describe, expect, it } from "vitest";
import { budgetSchema, DEFAULT_THRESHOLDS, detectionConfigSchema, type Thresholds } from "./config.js";
import { DetectionEngine } from "./engine.js";
import { Episode, run } from "./testdata/episode.js";
import { ThresholdResolver } from "./thresholds.js";

describe("detectionConfigSchema", () => {
  it("fills in the documented defaults", () => {
    expect(detectionConfigSchema.parse({})).toEqual({
      thresholds: {
        identicalWarnAt: 3,
        identicalBlockToolAt: 4,
        identicalKillAt: 5,
        cycleWarnAt: 4,
        cycleKillAt: 5,
        cycleMaxPeriod: 6,
        pingPongWarnRounds: 4,
        pingPongKillRounds: 6,
        pingPongMaxHamming: 3,
        noProgressWarnAt: 3,
        noProgressKillAt: 5,
        noProgressWindow: 20,
        burnRateWindowSeconds: 60,
        burnRateMaxUsdPerMinute: "5",
        runMaxUsd: "10",
        stepMaxUsd: "2",
        projectionMinutes: 5,
        runMaxAgeSeconds: 21_600,
        runMaxCalls: 200,
      },
      overrides: { agent: {}, feature: {}, session: {} },
      allowlist: [],
      acknowledgementTools: [],
      budgets: [],
      maxRuns: 100_000,
      runTtlSeconds: 21_600,
      maxSpendCounters: 200_000,
    });
    expect(detectionConfigSchema.parse({}).thresholds).toEqual(DEFAULT_THRESHOLDS);
  });

  it("reads dollar amounts given as numbers exactly", () => {
    const config = detectionConfigSchema.parse({ thresholds: { runMaxUsd: 0.1, stepMaxUsd: "0.25" } });
    expect([config.thresholds.runMaxUsd, config.thresholds.stepMaxUsd]).toEqual(["0.1", "0.25"]);
  });

  it("names the field that is wrong", () => {
    const problems = (input: unknown) =>
      detectionConfigSchema
        .safeParse(input)
        .error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    expect(problems({ thresholds: { identicalWarnAt: 6 } })).toEqual([
      "thresholds.identicalBlockToolAt: identicalBlockToolAt (4) must not be below identicalWarnAt (6)",
    ]);
    expect(problems({ overrides: { agent: { planner: { cycleKillAt: 3 } } } })).toEqual([
      "overrides.agent.planner.cycleKillAt: cycleKillAt (3) must not be below cycleWarnAt (4)",
    ]);
    expect(problems({ thresholds: { identicalWarnAt: 1 } })?.[0]).toMatch(/^thresholds\.identicalWarnAt: /);
    expect(problems({ thresholds: { runMaxUsd: "ten" } })).toEqual([
      'thresholds.runMaxUsd: must be a non-negative decimal dollar amount such as "5" or "0.25"',
    ]);
    expect(problems({ thresholds: { identicalKilAt: 5 } })?.[0]).toMatch(/identicalKilAt/);
  });

  it("lets 0 turn a rung off: the ladder then skips it", () => {
    const engine = new DetectionEngine({ thresholds: { identicalBlockToolAt: 0 } });
    const episode = new Episode({ traceId: "t" });
    for (let i = 0; i < 5; i++) episode.llm(`try ${i}`, { tools: [{ name: "get", args: { id: 1 } }] });
    expect(run(engine, episode.events).map((f) => f.action)).toEqual(["warn", "kill"]);
    expect(
      detectionConfigSchema.safeParse({
        thresholds: { identicalWarnAt: 0, identicalBlockToolAt: 0, identicalKillAt: 2 },
      }).success,
    ).toBe(true);
  });
});

describe("ThresholdResolver", () => {
  it("layers global < feature < agent, and a partial override keeps the other global values", () => {
    const config = detectionConfigSchema.parse({
      thresholds: { identicalWarnAt: 2, runMaxUsd: "20" },
      overrides: {
        feature: { research: { runMaxUsd: "50", runMaxCalls: 400 } },
        agent: { planner: { runMaxCalls: 300 } },
      },
    });
    const resolver = new ThresholdResolver(config);
    const planner = resolver.resolve("planner", "research", "trace");
    expect([planner.identicalWarnAt, planner.runMaxUsd, planner.runMaxPico, planner.runMaxCalls]).toEqual([
      2,
      "50",
      50_000_000_000_000n,
      300,
    ]);
    expect(resolver.resolve("writer", "chat", "trace")).toBe(resolver.resolve("", "", "trace"));
    expect(resolver.resolve("planner", "research", "trace")).toBe(planner);
  });

  it("gives a session no call-count or age cap unless overrides.session sets one", () => {
    const config = detectionConfigSchema.parse({
      thresholds: { runMaxCalls: 300 },
      overrides: { feature: { research: { runMaxCalls: 50, runMaxAgeSeconds: 60 } } },
    });
    const caps = (t: Thresholds) => [t.runMaxCalls, t.runMaxAgeSeconds, t.runMaxUsd];
    const resolver = new ThresholdResolver(config);
    expect({
      trace: caps(resolver.resolve("", "", "trace")),
      session: caps(resolver.resolve("", "", "session")),
      researchTrace: caps(resolver.resolve("", "research", "trace")),
      researchSession: caps(resolver.resolve("", "research", "session")),
    }).toEqual({
      trace: [300, 21_600, "10"],
      session: [0, 0, "10"],
      researchTrace: [50, 60, "10"],
      researchSession: [0, 0, "10"],
    });
    const capped = new ThresholdResolver(
      detectionConfigSchema.parse({ overrides: { session: { runMaxCalls: 2000 } } }),
    );
    expect(caps(capped.resolve("", "", "session"))).toEqual([2000, 0, "10"]);
  });
});

describe("budgetSchema", () => {
  it("defaults a user budget to a month and its alerts to 50/80/100%, sorted", () => {
    expect(budgetSchema.parse({ id: "b", scope: "user", limitUsd: 25 })).toEqual({
      id: "b",
      scope: "user",
      period: "month",
      limitUsd: "25",
      alertAt: [0.5, 0.8, 1],
    });
    expect(budgetSchema.parse({ id: "b", scope: "trace", limitUsd: "2", alertAt: [1, 0.9, 0.9] })).toEqual({
      id: "b",
      scope: "trace",
      limitUsd: "2",
      alertAt: [0.9, 1],
    });
  });
});
