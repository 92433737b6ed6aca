import { describe, expect, it } from "vitest";
import { digest, toolCallFingerprint } from "../fingerprint.js";
import { DetectionEngine } from "./engine.js";
import { Episode, run, T0_MS } from "./testdata/episode.js";

const PARAMETERS = { warn_at: 3, block_tool_at: 4, kill_at: 5 };

describe("loop state per agent", () => {
  it("does not take five sub-agents that each start with get_schema({}) for one agent repeating it", () => {
    // An orchestrator fans out five workers in one trace, each on its own ticket.
    const episode = new Episode({ traceId: "t-fan" });
    for (let w = 0; w < 5; w++) {
      episode.llm(`worker ${w}: ticket #${100 + w}`, {
        agent: `worker-${w}`,
        tools: [{ name: "get_schema", args: {} }],
      });
    }
    for (let w = 0; w < 5; w++) episode.tool("get_schema", "schema-v1", { agent: `worker-${w}` });
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("does not take the same schema read by five sequential workers for no progress", () => {
    const episode = new Episode({ traceId: "t-map" });
    for (let w = 0; w < 5; w++) {
      const agent = `worker-${w}`;
      episode.llm(`w${w} start`, { agent, tools: [{ name: "get_schema", args: {} }] });
      episode.tool("get_schema", "schema-v1", { agent });
      episode.llm(`w${w} query`, { agent, tools: [{ name: "run_query", args: { sql: `select ${w}` } }] });
      episode.tool("run_query", { rows: w }, { agent });
      episode.llm(`w${w} answer`, { agent });
    }
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("finds one agent's repeated search while another agent works in between", () => {
    const episode = new Episode({ traceId: "t-mixed" });
    for (let i = 0; i < 10; i++) {
      episode.llm(`a${i}`, { agent: "A", tools: [{ name: "search", args: { q: "x" } }] });
      episode.llm(`b${i}`, { agent: "B", tools: [{ name: "read_page", args: { n: i } }] });
      episode.tool("search", { hits: i }, { agent: "A" });
      episode.tool("read_page", { page: i }, { agent: "B" });
    }
    const search = toolCallFingerprint("search", { q: "x" });
    const scope = { trace_id: "t-mixed" };
    const evidence = (repeats: number) => ({
      repeats,
      step: "tool_calls",
      tool_call_fingerprints: [search],
      agent: "A",
      ...PARAMETERS,
    });
    expect(run(new DetectionEngine(), episode.events)).toEqual([
      {
        detector: "D1.identical_call",
        action: "warn",
        scope,
        reason: "agent A in trace t-mixed requested the same tool call 3 times in a row (kill at 5).",
        evidence: evidence(3),
        key: `D1.identical_call:warn:trace:t-mixed@${T0_MS}:${search}`,
      },
      {
        detector: "D1.identical_call",
        action: "block_tool",
        scope,
        reason:
          "agent A in trace t-mixed requested the same tool call 4 times in a row; blocking that call (kill at 5).",
        evidence: evidence(4),
        key: `D1.identical_call:block_tool:trace:t-mixed@${T0_MS}:${search}`,
      },
      {
        detector: "D1.identical_call",
        action: "kill",
        scope,
        reason: "agent A in trace t-mixed requested the same tool call 5 times in a row, the limit is 5.",
        evidence: evidence(5),
        key: `D1.identical_call:kill:trace:t-mixed@${T0_MS}`,
      },
    ]);
  });

  it("lets two sub-agents each poll their own job with an allowlisted tool: no ping-pong", () => {
    const episode = new Episode({ traceId: "t-poll2" });
    for (let r = 0; r < 8; r++) {
      for (const [agent, job] of [
        ["extract", 7],
        ["classify", 8],
      ] as const) {
        episode.llm(`${agent} ${r}`, { agent, tools: [{ name: "poll_job", args: { job } }] });
        episode.tool("poll_job", "running", { agent });
      }
    }
    expect(run(new DetectionEngine({ allowlist: ["poll_job"] }), episode.events)).toEqual([]);
  });

  it("learns polling for the agent that asked for it, when another agent's call comes in between", () => {
    // P polls; W loops on the same search. P's poll span arrives after W's next LLM call.
    const episode = new Episode({ traceId: "t-poll-w" });
    for (let r = 0; r < 10; r++) {
      episode.llm(`P${r}`, { agent: "P", tools: [{ name: "poll_job", args: { job: 7 } }] });
      episode.llm(`W${r}`, { agent: "W", tools: [{ name: "search", args: { q: "same" } }] });
      episode.tool("poll_job", "running", { agent: "P" });
      episode.tool("search", [], { agent: "W" });
    }
    const search = toolCallFingerprint("search", { q: "same" });
    const empty = digest(JSON.stringify([]));
    const scope = { trace_id: "t-poll-w" };
    const identical = (repeats: number) => ({
      repeats,
      step: "tool_calls",
      tool_call_fingerprints: [search],
      agent: "W",
      ...PARAMETERS,
    });
    const noProgress = (occurrences: number) => ({
      tool_name: "search",
      result_digest: empty,
      occurrences,
      tool_calls_in_window: occurrences,
      agent: "W",
      window: 20,
      warn_at: 3,
      kill_at: 5,
    });
    // Only W's search is a loop; P's allowlisted polling is neither blocked nor killed.
    expect(run(new DetectionEngine({ allowlist: ["poll_job"] }), episode.events)).toEqual([
      {
        detector: "D1.identical_call",
        action: "warn",
        scope,
        reason: "agent W in trace t-poll-w requested the same tool call 3 times in a row (kill at 5).",
        evidence: identical(3),
        key: `D1.identical_call:warn:trace:t-poll-w@${T0_MS}:${search}`,
      },
      {
        detector: "D4.no_progress",
        action: "warn",
        scope,
        reason:
          "agent W in trace t-poll-w got the same result from search 3 times in its last 3 tool calls (kill at 5).",
        evidence: noProgress(3),
        key: `D4.no_progress:warn:trace:t-poll-w@${T0_MS}:search`,
      },
      {
        detector: "D1.identical_call",
        action: "block_tool",
        scope,
        reason:
          "agent W in trace t-poll-w requested the same tool call 4 times in a row; blocking that call (kill at 5).",
        evidence: identical(4),
        key: `D1.identical_call:block_tool:trace:t-poll-w@${T0_MS}:${search}`,
      },
      {
        detector: "D1.identical_call",
        action: "kill",
        scope,
        reason: "agent W in trace t-poll-w requested the same tool call 5 times in a row, the limit is 5.",
        evidence: identical(5),
        key: `D1.identical_call:kill:trace:t-poll-w@${T0_MS}`,
      },
      {
        detector: "D4.no_progress",
        action: "kill",
        scope,
        reason:
          "agent W in trace t-poll-w got the same result from search 5 times in its last 5 tool calls, the limit is 5.",
        evidence: noProgress(5),
        key: `D4.no_progress:kill:trace:t-poll-w@${T0_MS}`,
      },
    ]);
  });

  it("takes a tool span without an agent as the execution of the latest LLM call's request", () => {
    // The tool runs in another service, whose spans carry no agent: polling is still learned.
    const episode = new Episode({ traceId: "t-remote" });
    for (let r = 0; r < 8; r++) {
      episode.llm(`poll ${r}`, { agent: "exporter", tools: [{ name: "poll_job", args: { job: 7 } }] });
      episode.tool("poll_job", "running", { agent: "" });
    }
    expect(run(new DetectionEngine({ allowlist: ["poll_job"] }), episode.events)).toEqual([]);
  });

  it("keeps loop state for at most 8 agents of a run, dropping the least recently seen", () => {
    // 9 agents take turns, each repeating its own call: the 9th pushes the 1st out, and so on,
    // so no agent's streak survives a round. A fan-out this wide costs missed loops, not memory.
    const episode = new Episode({ traceId: "t-wide" });
    for (let r = 0; r < 6; r++) {
      for (let a = 0; a < 9; a++) {
        episode.llm(`a${a} r${r}`, { agent: `a${a}`, tools: [{ name: "get", args: { a } }] });
      }
    }
    const engine = new DetectionEngine();
    expect(run(engine, episode.events)).toEqual([]);
    const narrow = new Episode({ traceId: "t-narrow" });
    for (let r = 0; r < 3; r++) {
      for (let a = 0; a < 8; a++) {
        narrow.llm(`a${a} r${r}`, { agent: `a${a}`, tools: [{ name: "get", args: { a } }] });
      }
    }
    expect(run(engine, narrow.events).map((f) => [f.action, f.evidence.agent])).toEqual(
      Array.from({ length: 8 }, (_, a) => ["warn", `a${a}`]),
    );
  });
});
