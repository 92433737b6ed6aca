import { describe, expect, it } from "vitest";
import { DetectionEngine } from "./engine.js";
import { Episode, loadEpisode, run } from "./testdata/episode.js";

describe("D2 cycle", () => {
  it("warns at 4 and kills at 5 repetitions of a plan → search → plan → read cycle", () => {
    const episode = new Episode({ traceId: "t-cycle" });
    for (let i = 0; i < 6; i++) {
      episode.call("search_orders", { user_id: "u1" }, { orders: ["#1"], page: i });
      episode.call("get_order_details", { order_id: "#1" }, { status: "pending", checked: i });
    }
    const parameters = { period: 4, llm_steps: 2, tool_steps: 2, warn_at: 4, kill_at: 5, max_period: 6 };
    // 4 steps per block (2 LLM calls, 2 tool runs): the 4th block ends at event 16, the 5th at 20.
    const findings = run(new DetectionEngine(), episode.events);
    expect(findings).toEqual([
      {
        detector: "D2.cycle",
        action: "warn",
        scope: { trace_id: "t-cycle" },
        reason: "trace t-cycle repeated a cycle of 4 steps 4 times (kill at 5).",
        evidence: { ...parameters, repetitions: 4 },
        key: "D2.cycle:warn:trace:t-cycle",
      },
      {
        detector: "D2.cycle",
        action: "kill",
        scope: { trace_id: "t-cycle" },
        reason: "trace t-cycle repeated a cycle of 4 steps 5 times, the limit is 5.",
        evidence: { ...parameters, repetitions: 5 },
        key: "D2.cycle:kill:trace:t-cycle",
      },
    ]);
  });

  it("fires at the step that completes the repetition", () => {
    const episode = new Episode({ traceId: "t" });
    const seen: number[] = [];
    const engine = new DetectionEngine();
    for (let i = 0; i < 15; i++) {
      const event = episode.llm(["plan", "draft", "review"][i % 3]!, { stateless: true });
      if (engine.observe(event).length > 0) seen.push(i + 1);
    }
    // Three prompt-only steps per block: 4 blocks end at call 12, 5 at call 15.
    expect(seen).toEqual([12, 15]);
  });

  it("does not fire on edit → run tests → edit → run tests with different edits and results", () => {
    expect(run(new DetectionEngine(), loadEpisode("edit-test-cycle.json"))).toEqual([]);
  });

  it("does not fire on bare tool names repeating, which carry no arguments", () => {
    const episode = new Episode();
    for (let i = 0; i < 20; i++) {
      episode.tool("edit_file", `src/f${i}.ts: +1 -1`);
      episode.tool("run_tests", { passed: 40 + i, failed: 20 - i });
    }
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("leaves one repeated call to D1 instead of reporting it as a cycle too", () => {
    const episode = new Episode({ traceId: "t" });
    for (let i = 0; i < 6; i++) episode.call("get_status", { id: 1 }, { status: "pending", poll: i });
    expect(run(new DetectionEngine(), episode.events).map((f) => f.detector)).toEqual([
      "D1.identical_call",
      "D1.identical_call",
      "D1.identical_call",
    ]);
  });

  it("looks for periods up to cycleMaxPeriod only", () => {
    const build = () => {
      const episode = new Episode({ traceId: "t7" });
      for (let i = 0; i < 5 * 7; i++) episode.llm(`step ${i % 7}`, { stateless: true });
      return episode.events;
    };
    expect(run(new DetectionEngine(), build())).toEqual([]);
    const wider = new DetectionEngine({ thresholds: { cycleMaxPeriod: 8 } });
    expect(run(wider, build())).toEqual([
      {
        detector: "D2.cycle",
        action: "warn",
        scope: { trace_id: "t7" },
        reason: "trace t7 repeated a cycle of 7 steps 4 times (kill at 5).",
        evidence: {
          period: 7,
          repetitions: 4,
          llm_steps: 7,
          tool_steps: 0,
          warn_at: 4,
          kill_at: 5,
          max_period: 8,
        },
        key: "D2.cycle:warn:trace:t7",
      },
      {
        detector: "D2.cycle",
        action: "kill",
        scope: { trace_id: "t7" },
        reason: "trace t7 repeated a cycle of 7 steps 5 times, the limit is 5.",
        evidence: {
          period: 7,
          repetitions: 5,
          llm_steps: 7,
          tool_steps: 0,
          warn_at: 4,
          kill_at: 5,
          max_period: 8,
        },
        key: "D2.cycle:kill:trace:t7",
      },
    ]);
  });
});
