import { describe, expect, it } from "vitest";
import { DetectionEngine } from "./engine.js";
import { Episode, run, T0_MS } from "./testdata/episode.js";

/** LLM calls with distinct prompts (no loop), each costing `costUsd`, `everyMs` apart. */
function spend(traceId: string, calls: number, costUsd: string, everyMs: number): Episode {
  const episode = new Episode({ traceId, stepMs: everyMs });
  for (let i = 0; i < calls; i++) episode.llm(`step ${i}`, { costUsd });
  return episode;
}

describe("D5 burn velocity", () => {
  it("kills a run spending more than $5 in the trailing minute, and projects it past its cap first", () => {
    // $1 every 10 s: after the 2nd call the rate is $2/min with $8 left (4 min); the 6th makes $6/min.
    const findings = run(new DetectionEngine(), spend("t-burn", 8, "1", 10_000).events);
    expect(findings).toEqual([
      {
        detector: "D5.projection",
        action: "warn",
        scope: { trace_id: "t-burn" },
        reason:
          "trace t-burn is spending $2.00/min and will pass its $10.00 limit in about 4.0 min (warn within 5 min).",
        evidence: {
          rate_usd_per_minute: 2,
          run_cost_usd: "2",
          limit_usd: "10",
          limit_source: "runMaxUsd",
          minutes_to_limit: 4,
          horizon_minutes: 5,
          window_seconds: 60,
        },
        key: `D5.projection:warn:trace:t-burn@${T0_MS}`,
      },
      {
        detector: "D5.burn_rate",
        action: "kill",
        scope: { trace_id: "t-burn" },
        reason: "trace t-burn is spending $6.00/min over the last 60 s, above the $5.00/min cap.",
        evidence: {
          rate_usd_per_minute: 6,
          window_spend_usd: "6",
          window_seconds: 60,
          max_usd_per_minute: "5",
        },
        key: `D5.burn_rate:kill:trace:t-burn@${T0_MS}`,
      },
    ]);
  });

  it("measures the rate over event time: the same spend spread over minutes does not trip it", () => {
    const engine = new DetectionEngine({ thresholds: { runMaxUsd: "100" } });
    // $4 in the first 4 s, then $4 again 70 s later: never more than $4 inside one minute.
    const episode = new Episode({ traceId: "t-slow" });
    for (let i = 0; i < 4; i++) episode.llm(`a${i}`, { costUsd: "1", atMs: T0_MS + i * 1000 });
    for (let i = 0; i < 4; i++) episode.llm(`b${i}`, { costUsd: "1", atMs: T0_MS + 74_000 + i * 1000 });
    expect(run(engine, episode.events)).toEqual([]);
    // The same 8 calls within one minute are $8/min.
    expect(
      run(new DetectionEngine({ thresholds: { runMaxUsd: "100" } }), spend("t-fast", 8, "1", 1000).events),
    ).toEqual([
      {
        detector: "D5.burn_rate",
        action: "kill",
        scope: { trace_id: "t-fast" },
        reason: "trace t-fast is spending $6.00/min over the last 60 s, above the $5.00/min cap.",
        evidence: {
          rate_usd_per_minute: 6,
          window_spend_usd: "6",
          window_seconds: 60,
          max_usd_per_minute: "5",
        },
        key: `D5.burn_rate:kill:trace:t-fast@${T0_MS}`,
      },
    ]);
  });

  it("kills a run whose exact total passes $10: 100 calls of $0.10 are exactly $10, the 101st is over", () => {
    const findings = run(new DetectionEngine(), spend("t-total", 102, "0.1", 60_000).events);
    expect(findings).toEqual([
      {
        detector: "D5.projection",
        action: "warn",
        scope: { trace_id: "t-total" },
        reason:
          "trace t-total is spending $0.10/min and will pass its $10.00 limit in about 5.0 min (warn within 5 min).",
        evidence: {
          rate_usd_per_minute: 0.1,
          run_cost_usd: "9.5",
          limit_usd: "10",
          limit_source: "runMaxUsd",
          minutes_to_limit: 5,
          horizon_minutes: 5,
          window_seconds: 60,
        },
        key: `D5.projection:warn:trace:t-total@${T0_MS}`,
      },
      {
        detector: "D5.run_cost",
        action: "kill",
        scope: { trace_id: "t-total" },
        reason: "trace t-total has cost $10.10, above the $10.00 per-run cap.",
        evidence: { run_cost_usd: "10.1", run_max_usd: "10", llm_calls: 101, tokens: 90_900 },
        key: `D5.run_cost:kill:trace:t-total@${T0_MS}`,
      },
    ]);
  });

  it("says by how much a run passed its cap when cents would make the two read the same", () => {
    const engine = new DetectionEngine({ thresholds: { projectionMinutes: 0, burnRateMaxUsdPerMinute: 0 } });
    const episode = new Episode({ traceId: "t-just", stepMs: 120_000 });
    episode.llm("most of it", { costUsd: "9.999" });
    episode.llm("a little more", { costUsd: "0.005" });
    expect(run(engine, episode.events).map((f) => f.reason)).toEqual([
      "trace t-just made a single call costing $10.00, above the $2.00 per-step cap.",
      "trace t-just has cost $10.004, above the $10.000 per-run cap.",
    ]);
  });

  it("warns once about a single call above $2", () => {
    const engine = new DetectionEngine({ thresholds: { projectionMinutes: 0 } });
    const episode = new Episode({ traceId: "t-step", stepMs: 120_000 });
    episode.llm("long report", { costUsd: "2.4" });
    episode.llm("another long report", { costUsd: "2.1" });
    expect(run(engine, episode.events)).toEqual([
      {
        detector: "D5.step_cost",
        action: "warn",
        scope: { trace_id: "t-step" },
        reason: "trace t-step made a single call costing $2.40, above the $2.00 per-step cap.",
        evidence: { step_cost_usd: "2.4", step_max_usd: "2" },
        key: `D5.step_cost:warn:trace:t-step@${T0_MS}`,
      },
    ]);
  });

  it("projects against a run budget tighter than the per-run cap", () => {
    const engine = new DetectionEngine({
      budgets: [{ id: "per-trace", scope: "trace", limitUsd: "3", alertAt: [1] }],
    });
    // $0.50 in the first minute: $2.50 left of the $3 budget is 5 min away (of the $10 cap, 19 min).
    const findings = run(engine, spend("t-budget", 2, "0.5", 20_000).events);
    expect(findings).toEqual([
      {
        detector: "D5.projection",
        action: "warn",
        scope: { trace_id: "t-budget" },
        reason:
          "trace t-budget is spending $0.50/min and will pass its $3.00 limit in about 5.0 min (warn within 5 min).",
        evidence: {
          rate_usd_per_minute: 0.5,
          run_cost_usd: "0.5",
          limit_usd: "3",
          limit_source: "budget:per-trace",
          minutes_to_limit: 5,
          horizon_minutes: 5,
          window_seconds: 60,
        },
        key: `D5.projection:warn:trace:t-budget@${T0_MS}`,
      },
    ]);
  });

  it("stays quiet for a run spending steadily below every cap", () => {
    expect(run(new DetectionEngine(), spend("t-calm", 10, "0.2", 10_000).events)).toEqual([]);
  });

  it("ignores unpriced and malformed costs instead of failing", () => {
    const episode = new Episode();
    episode.llm("a", { costUsd: "0" });
    episode.llm("b", { costUsd: "not a number" });
    episode.llm("c", { costUsd: "-3" });
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });
});
