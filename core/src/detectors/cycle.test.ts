import { describe, expect, it } from "vitest";
import { DetectionEngine } from "./engine.js";
import { Episode, loadEpisode, run, T0_MS } from "./testdata/episode.js";

describe("D2 cycle", () => {
  it("warns at 4 and kills at 5 repetitions of a plan → search → plan → read cycle", () => {
    const episode = new Episode({ traceId: "t-cycle" });
    for (let i = 0; i < 6; i++) {
      episode.call("search_orders", { user_id: "u1" }, { orders: ["#1"], page: i });
      episode.call("get_order_details", { order_id: "#1" }, { status: "pending", checked: i });
    }
    const parameters = { period: 2, agent: "agent", warn_at: 4, kill_at: 5, max_period: 6 };
    // 2 LLM steps per block (the tool runs are not steps): the 4th block ends at the 8th call, the 5th at the 10th.
    const engine = new DetectionEngine();
    const firing = episode.events.flatMap((event, i) =>
      engine.observe(event).map((finding) => ({ event: i, finding })),
    );
    expect(firing).toEqual([
      {
        event: 14,
        finding: {
          detector: "D2.cycle",
          action: "warn",
          scope: { trace_id: "t-cycle" },
          reason: "agent agent in trace t-cycle repeated a cycle of 2 steps 4 times (kill at 5).",
          evidence: { ...parameters, repetitions: 4 },
          key: `D2.cycle:warn:trace:t-cycle@${T0_MS}`,
        },
      },
      {
        event: 18,
        finding: {
          detector: "D2.cycle",
          action: "kill",
          scope: { trace_id: "t-cycle" },
          reason: "agent agent in trace t-cycle repeated a cycle of 2 steps 5 times, the limit is 5.",
          evidence: { ...parameters, repetitions: 5 },
          key: `D2.cycle:kill:trace:t-cycle@${T0_MS}`,
        },
      },
    ]);
  });

  it("sees the same cycle whatever order parallel tools finish in, and with or without tool spans", () => {
    // plan → [fetch_a, fetch_b in parallel] → summarise → [save], 10 rounds with the same calls.
    const rounds = (tools: "in order" | "either order" | "late" | "none") => {
      const episode = new Episode({ traceId: "t-par", agent: "" });
      const late: [string, unknown][] = [];
      const ran = (name: string, result: unknown) => {
        if (tools === "late") late.push([name, result]);
        else if (tools !== "none") episode.tool(name, result);
      };
      for (let r = 0; r < 10; r++) {
        episode.llm(`plan ${r}`, {
          tools: [
            { name: "fetch_a", args: { id: 1 } },
            { name: "fetch_b", args: { id: 2 } },
          ],
        });
        const order = tools === "either order" && [1, 2, 5, 7, 8].includes(r) ? ["b", "a"] : ["a", "b"];
        for (const x of order) ran(`fetch_${x}`, { round: r, x });
        episode.llm(`summarise ${r}`, { tools: [{ name: "save", args: { doc: "d1" } }] });
        ran("save", { round: r });
        // Tools run in another service, whose spans come in a later export, every other round.
        if (tools === "late" && r % 2 === 1)
          for (const [name, result] of late.splice(0)) episode.tool(name, result);
      }
      const engine = new DetectionEngine();
      let calls = 0;
      return episode.events.flatMap((event) => {
        if (event.kind === "llm_call") calls++;
        return engine.observe(event).map((f) => ({ afterCall: calls, action: f.action, reason: f.reason }));
      });
    };
    const expected = [
      {
        afterCall: 8,
        action: "warn",
        reason: "trace t-par repeated a cycle of 2 steps 4 times (kill at 5).",
      },
      {
        afterCall: 10,
        action: "kill",
        reason: "trace t-par repeated a cycle of 2 steps 5 times, the limit is 5.",
      },
    ];
    expect({
      inOrder: rounds("in order"),
      eitherOrder: rounds("either order"),
      late: rounds("late"),
      none: rounds("none"),
    }).toEqual({ inOrder: expected, eitherOrder: expected, late: expected, none: expected });
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
        reason: "agent agent in trace t7 repeated a cycle of 7 steps 4 times (kill at 5).",
        evidence: {
          period: 7,
          repetitions: 4,
          agent: "agent",
          warn_at: 4,
          kill_at: 5,
          max_period: 8,
        },
        key: `D2.cycle:warn:trace:t7@${T0_MS}`,
      },
      {
        detector: "D2.cycle",
        action: "kill",
        scope: { trace_id: "t7" },
        reason: "agent agent in trace t7 repeated a cycle of 7 steps 5 times, the limit is 5.",
        evidence: {
          period: 7,
          repetitions: 5,
          agent: "agent",
          warn_at: 4,
          kill_at: 5,
          max_period: 8,
        },
        key: `D2.cycle:kill:trace:t7@${T0_MS}`,
      },
    ]);
  });
});
