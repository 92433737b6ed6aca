import { describe, expect, it } from "vitest";
import { toolCallFingerprint } from "../fingerprint.js";
import { DetectionEngine } from "./engine.js";
import type { DetectorEvent } from "./events.js";
import { runKey } from "./run-state.js";
import { Episode, loadEpisode, run, T0_MS } from "./testdata/episode.js";

const FIXTURES = ["retail-return.json", "airline-rebook.json", "edit-test-cycle.json"];

describe("DetectionEngine", () => {
  it.each(FIXTURES)("finds nothing in a normal episode: %s (as a trace and as a session)", (file) => {
    const engine = new DetectionEngine();
    expect(run(engine, loadEpisode(file, { traceId: "t1", sessionId: "s1" }))).toEqual([]);
    expect(engine.trackedRuns).toBe(2);
  });

  it("finds nothing in 200 concurrent episodes of different customers, ten per session", () => {
    const engine = new DetectionEngine();
    const episodes = Array.from({ length: 200 }, (_, i) =>
      loadEpisode(FIXTURES[i % 3]!, {
        traceId: `t${i}`,
        sessionId: `s${i % 20}`,
        startMs: T0_MS + i * 1000,
        salt: `c${i}`,
      }),
    );
    const interleaved = episodes.flatMap((events, i) =>
      events.map((event, step) => ({ event, order: step * 1000 + i })),
    );
    interleaved.sort((a, b) => a.order - b.order);
    expect(
      run(
        engine,
        interleaved.map((x) => x.event),
      ),
    ).toEqual([]);
  });

  it("ignores a polling tool on the allowlist: poll_job 50 times with the same result", () => {
    const build = () => {
      const episode = new Episode({ traceId: "t-poll", agent: "exporter" });
      episode.call("start_export", { format: "csv" }, { job_id: "job-7" });
      for (let i = 0; i < 50; i++) episode.call("poll_job", { job_id: "job-7" }, { status: "running" });
      episode.call("download", { job_id: "job-7" }, { url: "https://files.example/job-7.csv" });
      return episode.events.map((event) => ({ ...event, costUsd: "0.0004" }));
    };
    expect(run(new DetectionEngine({ allowlist: ["poll_job"] }), build())).toEqual([]);
    // Without the allowlist the same polling is a textbook identical-call loop.
    const pollFingerprint = toolCallFingerprint("poll_job", { job_id: "job-7" });
    expect(run(new DetectionEngine(), build()).map((f) => f.key)).toEqual([
      `D1.identical_call:warn:trace:t-poll@${T0_MS}:${pollFingerprint}`,
      `D4.no_progress:warn:trace:t-poll@${T0_MS}:poll_job`,
      `D1.identical_call:block_tool:trace:t-poll@${T0_MS}:${pollFingerprint}`,
      `D1.identical_call:kill:trace:t-poll@${T0_MS}`,
      // After a kill, warnings stop but other detectors' kills still report.
      `D4.no_progress:kill:trace:t-poll@${T0_MS}`,
    ]);
  });

  it("reports a loop inside one trace on the trace only, not again on its session", () => {
    const episode = new Episode({ traceId: "t-loop", sessionId: "chat-1" });
    for (let i = 0; i < 7; i++) episode.call("get_order", { id: 1 }, { attempt: i });
    expect(run(new DetectionEngine(), episode.events).map((f) => [f.key, f.scope])).toEqual([
      [
        `D1.identical_call:warn:trace:t-loop@${T0_MS}:${toolCallFingerprint("get_order", { id: 1 })}`,
        { trace_id: "t-loop" },
      ],
      [
        `D1.identical_call:block_tool:trace:t-loop@${T0_MS}:${toolCallFingerprint("get_order", { id: 1 })}`,
        { trace_id: "t-loop" },
      ],
      [`D1.identical_call:kill:trace:t-loop@${T0_MS}`, { trace_id: "t-loop" }],
    ]);
  });

  it("reports a loop that spans traces on the session", () => {
    const engine = new DetectionEngine();
    const events = [1, 2, 3].flatMap((turn) => {
      const episode = new Episode({
        traceId: `turn-${turn}`,
        sessionId: "chat-2",
        startMs: T0_MS + turn * 60_000,
      });
      episode.call("get_order", { id: 1 }, { turn, attempt: 1 });
      episode.call("get_order", { id: 1 }, { turn, attempt: 2 });
      return episode.events;
    });
    const fingerprint = toolCallFingerprint("get_order", { id: 1 });
    expect(run(engine, events)).toEqual([
      {
        detector: "D1.identical_call",
        action: "warn",
        scope: { session_id: "chat-2" },
        reason: "agent agent in session chat-2 requested the same tool call 3 times in a row (kill at 5).",
        evidence: {
          repeats: 3,
          step: "tool_calls",
          tool_call_fingerprints: [fingerprint],
          agent: "agent",
          warn_at: 3,
          block_tool_at: 4,
          kill_at: 5,
        },
        key: `D1.identical_call:warn:session:chat-2@${T0_MS + 60_000}:${fingerprint}`,
      },
      {
        detector: "D1.identical_call",
        action: "block_tool",
        scope: { session_id: "chat-2" },
        reason:
          "agent agent in session chat-2 requested the same tool call 4 times in a row; blocking that call (kill at 5).",
        evidence: {
          repeats: 4,
          step: "tool_calls",
          tool_call_fingerprints: [fingerprint],
          agent: "agent",
          warn_at: 3,
          block_tool_at: 4,
          kill_at: 5,
        },
        key: `D1.identical_call:block_tool:session:chat-2@${T0_MS + 60_000}:${fingerprint}`,
      },
      {
        detector: "D1.identical_call",
        action: "kill",
        scope: { session_id: "chat-2" },
        reason:
          "agent agent in session chat-2 requested the same tool call 5 times in a row, the limit is 5.",
        evidence: {
          repeats: 5,
          step: "tool_calls",
          tool_call_fingerprints: [fingerprint],
          agent: "agent",
          warn_at: 3,
          block_tool_at: 4,
          kill_at: 5,
        },
        key: `D1.identical_call:kill:session:chat-2@${T0_MS + 60_000}`,
      },
    ]);
  });

  it("changes a threshold for one agent: the planner may repeat a call 8 times, others 5", () => {
    const engine = new DetectionEngine({
      overrides: { agent: { planner: { identicalBlockToolAt: 0, identicalKillAt: 8 } } },
    });
    const killAt = (agent: string) => {
      const episode = new Episode({ traceId: `t-${agent}`, agent });
      for (let i = 1; i <= 10; i++) {
        const event = episode.llm(`try ${i}`, { tools: [{ name: "plan", args: { goal: "ship" } }] });
        if (engine.observe(event).some((f) => f.action === "kill")) return i;
      }
      return undefined;
    };
    expect(killAt("planner")).toBe(8);
    expect(killAt("executor")).toBe(5);
  });

  it("takes the agent's override over the feature's, and both over the global value", () => {
    const engine = new DetectionEngine({
      thresholds: { runMaxCalls: 100 },
      overrides: {
        feature: { research: { runMaxCalls: 50 } },
        agent: { "deep-researcher": { runMaxCalls: 70 } },
      },
    });
    const callsToKill = (agent: string, feature: string) => {
      const episode = new Episode({ traceId: `${agent}/${feature}`, agent, feature });
      for (let i = 1; i <= 120; i++) {
        if (engine.observe(episode.llm(`q${i}`, { costUsd: "0" })).some((f) => f.detector === "D6.liveness"))
          return i;
      }
      return undefined;
    };
    expect([
      callsToKill("writer", "chat"),
      callsToKill("writer", "research"),
      callsToKill("deep-researcher", "research"),
    ]).toEqual([100, 50, 70]);
  });

  it("keeps at most maxRuns runs: 200k distinct traces leave 100k tracked", () => {
    const engine = new DetectionEngine();
    const event = new Episode().llm("hello", { costUsd: "0" });
    let highest = 0;
    for (let i = 0; i < 200_000; i++) {
      engine.observe({ ...event, traceId: `trace-${i}`, timeUnixNano: BigInt(T0_MS + i) * 1_000_000n });
      if (engine.trackedRuns > highest) highest = engine.trackedRuns;
    }
    expect(highest).toBe(100_000);
    expect(engine.trackedRuns).toBe(100_000);
  });

  it("drops runs idle longer than the TTL, by event time, and forgets on request", () => {
    const engine = new DetectionEngine({ runTtlSeconds: 3600 });
    const old = new Episode({ traceId: "old", startMs: T0_MS }).llm("a", { costUsd: "0" });
    engine.observe(old);
    engine.observe(new Episode({ traceId: "mid", startMs: T0_MS + 30 * 60_000 }).llm("b", { costUsd: "0" }));
    expect(engine.trackedRuns).toBe(2);
    engine.observe(new Episode({ traceId: "new", startMs: T0_MS + 61 * 60_000 }).llm("c", { costUsd: "0" }));
    expect(engine.trackedRuns).toBe(2);
    expect(engine.forget(runKey("trace", "proj", "mid"))).toBe(true);
    expect(engine.forget(runKey("trace", "proj", "mid"))).toBe(false);
    expect(engine.trackedRuns).toBe(1);
  });

  it("starts a forgotten run from scratch", () => {
    const engine = new DetectionEngine();
    const episode = new Episode({ traceId: "t" });
    for (let i = 0; i < 4; i++) episode.llm(`x${i}`, { tools: [{ name: "get", args: {} }] });
    const [a, b, c, d] = episode.events;
    engine.observe(a!);
    engine.observe(b!);
    engine.forget(runKey("trace", "proj", "t"));
    expect([...engine.observe(c!), ...engine.observe(d!)]).toEqual([]);
  });

  it("gives a run that was dropped and comes back new keys, so its next kill is a new decision", () => {
    const engine = new DetectionEngine({ killRenewSeconds: 3600 });
    const loop = (startMs: number) => {
      const episode = new Episode({ traceId: "", sessionId: "sess-9", startMs });
      for (let i = 0; i < 5; i++)
        episode.llm(`try ${i}`, { tools: [{ name: "get_order", args: { id: 1 } }] });
      return episode.events;
    };
    const kills = (events: Iterable<DetectorEvent>) =>
      run(engine, events)
        .filter((f) => f.action === "kill")
        .map((f) => f.key);
    const evening = T0_MS + 7 * 3600_000;
    const first = kills(loop(T0_MS));
    // Other traffic moves event time on; the session, idle past the 6 h TTL, is dropped.
    run(engine, [new Episode({ traceId: "other", startMs: evening }).llm("hello")]);
    expect({ first, again: kills(loop(evening + 1000)) }).toEqual({
      first: [`D1.identical_call:kill:session:sess-9@${T0_MS}`],
      again: [`D1.identical_call:kill:session:sess-9@${evening + 1000}`],
    });
  });

  it("keeps runs of different projects apart", () => {
    const engine = new DetectionEngine();
    for (const projectId of ["p1", "p2", "p1", "p2"]) {
      const event = new Episode({ traceId: "same-id", projectId }).llm("x", {
        tools: [{ name: "get", args: {} }],
      });
      expect(engine.observe(event)).toEqual([]);
    }
    expect(engine.trackedRuns).toBe(2);
  });

  it("survives hostile input: no time, no fingerprints, malformed costs and SimHashes", () => {
    const engine = new DetectionEngine();
    const base = new Episode().llm("x");
    for (let i = 0; i < 20; i++) {
      const findings = engine.observe({
        ...base,
        spanId: `s${i}`,
        timeUnixNano: 0n,
        promptFingerprint: "",
        toolCallFingerprints: [],
        costUsd: ["1e401", "NaN", "", "-0.5"][i % 4]!,
        contentSimHash: ["zz", "", "0123456789abcdef0", undefined][i % 4],
        tokens: Number.NaN,
      });
      // A call without fingerprints is never "the same call again", and a cost that is not one is $0.
      expect(findings).toEqual([]);
    }
  });

  it("clamps an absurd single cost to $1M instead of overflowing its sums", () => {
    const engine = new DetectionEngine({ thresholds: { burnRateMaxUsdPerMinute: "0", stepMaxUsd: "0" } });
    expect(engine.observe({ ...new Episode({ traceId: "t-huge" }).llm("x"), costUsd: "1e300" })).toEqual([
      {
        detector: "D5.run_cost",
        action: "kill",
        scope: { trace_id: "t-huge" },
        reason: "trace t-huge has cost $1000000.00, above the $10.00 per-run cap.",
        evidence: { run_cost_usd: "1000000", run_max_usd: "10", llm_calls: 1, tokens: 900 },
        key: `D5.run_cost:kill:trace:t-huge@${T0_MS}`,
      },
    ]);
  });

  it("estimates its memory", () => {
    const engine = new DetectionEngine();
    expect(engine.approxBytes()).toBe(0);
    run(engine, loadEpisode("retail-return.json", { traceId: "4bf92f3577b34da6a3ce929d0e0e4736" }));
    expect(engine.approxBytes()).toBeGreaterThan(500);
    expect(engine.approxBytes()).toBeLessThan(2048);
  });
});
