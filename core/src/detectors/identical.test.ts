import { describe, expect, it } from "vitest";
import { promptFingerprint, toolCallFingerprint } from "../fingerprint.js";
import { DetectionEngine } from "./engine.js";
import { Episode, run, T0_MS } from "./testdata/episode.js";

const GET_ORDER = toolCallFingerprint("get_order_details", { order_id: "#W2378156" });
const PARAMETERS = { warn_at: 3, block_tool_at: 4, kill_at: 5 };

describe("D1 identical call", () => {
  it("climbs warn → block_tool → kill as the same tool call repeats, once each", () => {
    const episode = new Episode({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736" });
    for (let i = 0; i < 7; i++) {
      episode.llm(`attempt ${i}`, {
        tools: [{ name: "get_order_details", args: { order_id: "#W2378156" } }],
      });
      episode.tool("get_order_details", { error: "timeout", attempt: i });
    }
    const scope = { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" };
    expect(run(new DetectionEngine(), episode.events)).toEqual([
      {
        detector: "D1.identical_call",
        action: "warn",
        scope,
        reason: "agent agent in trace 4bf92f35… requested the same tool call 3 times in a row (kill at 5).",
        evidence: {
          repeats: 3,
          step: "tool_calls",
          tool_call_fingerprints: [GET_ORDER],
          agent: "agent",
          ...PARAMETERS,
        },
        key: `D1.identical_call:warn:trace:4bf92f3577b34da6a3ce929d0e0e4736@${T0_MS}:${GET_ORDER}`,
      },
      {
        detector: "D1.identical_call",
        action: "block_tool",
        scope,
        reason:
          "agent agent in trace 4bf92f35… requested the same tool call 4 times in a row; blocking that call (kill at 5).",
        evidence: {
          repeats: 4,
          step: "tool_calls",
          tool_call_fingerprints: [GET_ORDER],
          agent: "agent",
          ...PARAMETERS,
        },
        key: `D1.identical_call:block_tool:trace:4bf92f3577b34da6a3ce929d0e0e4736@${T0_MS}:${GET_ORDER}`,
      },
      {
        detector: "D1.identical_call",
        action: "kill",
        scope,
        reason:
          "agent agent in trace 4bf92f35… requested the same tool call 5 times in a row, the limit is 5.",
        evidence: {
          repeats: 5,
          step: "tool_calls",
          tool_call_fingerprints: [GET_ORDER],
          agent: "agent",
          ...PARAMETERS,
        },
        key: `D1.identical_call:kill:trace:4bf92f3577b34da6a3ce929d0e0e4736@${T0_MS}`,
      },
    ]);
  });

  it("kills a run that loops on once its kill has lapsed (killRenewSeconds), as a finding of its own", () => {
    // A call and its tool run every minute each; the kill holds for 30 minutes.
    const episode = new Episode({ traceId: "t-renew", stepMs: 60_000 });
    for (let i = 0; i < 22; i++) {
      episode.llm(`attempt ${i}`, { tools: [{ name: "get_order_details", args: { order_id: "#1" } }] });
      episode.tool("get_order_details", { error: "timeout", attempt: i });
    }
    const kills = (engine: DetectionEngine) =>
      run(engine, episode.events)
        .filter((f) => f.action === "kill")
        .map((f) => ({ key: f.key, repeats: f.evidence.repeats }));
    expect({
      renewed: kills(new DetectionEngine({ killRenewSeconds: 1800 })),
      once: kills(new DetectionEngine()),
    }).toEqual({
      // The 5th call (minute 8) is killed; the 20th (minute 38) is the first 30 minutes later.
      renewed: [
        { key: `D1.identical_call:kill:trace:t-renew@${T0_MS}`, repeats: 5 },
        { key: `D1.identical_call:kill:trace:t-renew@${T0_MS}:renewed-1`, repeats: 20 },
      ],
      once: [{ key: `D1.identical_call:kill:trace:t-renew@${T0_MS}`, repeats: 5 }],
    });
  });

  it("treats parallel calls asked for in another order as the same step", () => {
    const episode = new Episode({ traceId: "t-parallel" });
    const a = { name: "get_order_details", args: { order_id: "#1" } };
    const b = { name: "get_user_details", args: { user_id: "u1" } };
    for (let i = 0; i < 3; i++) episode.llm(`turn ${i}`, { tools: i % 2 === 0 ? [a, b] : [b, a] });
    // The evidence lists the calls as the third (firing) response ordered them.
    const fingerprints = [toolCallFingerprint(a.name, a.args), toolCallFingerprint(b.name, b.args)];
    expect(run(new DetectionEngine(), episode.events)).toEqual([
      {
        detector: "D1.identical_call",
        action: "warn",
        scope: { trace_id: "t-parallel" },
        reason: "agent agent in trace t-parallel requested the same tool calls 3 times in a row (kill at 5).",
        evidence: {
          repeats: 3,
          step: "tool_calls",
          tool_call_fingerprints: fingerprints,
          agent: "agent",
          ...PARAMETERS,
        },
        key: `D1.identical_call:warn:trace:t-parallel@${T0_MS}:${fingerprints.join(",")}`,
      },
    ]);
  });

  it("goes warn → kill for a repeated prompt, which has no tool to block", () => {
    const episode = new Episode({ traceId: "t-prompt" });
    for (let i = 0; i < 5; i++) episode.llm("Summarise the ticket", { stateless: true });
    const fingerprint = promptFingerprint({ model: "gpt-4o", messages: ["Summarise the ticket"] });
    expect(run(new DetectionEngine(), episode.events)).toEqual([
      {
        detector: "D1.identical_call",
        action: "warn",
        scope: { trace_id: "t-prompt" },
        reason: "agent agent in trace t-prompt sent the same prompt 3 times in a row (kill at 5).",
        evidence: {
          repeats: 3,
          step: "prompt",
          prompt_fingerprint: fingerprint,
          agent: "agent",
          warn_at: 3,
          kill_at: 5,
        },
        key: `D1.identical_call:warn:trace:t-prompt@${T0_MS}:${fingerprint}`,
      },
      {
        detector: "D1.identical_call",
        action: "kill",
        scope: { trace_id: "t-prompt" },
        reason: "agent agent in trace t-prompt sent the same prompt 5 times in a row, the limit is 5.",
        evidence: {
          repeats: 5,
          step: "prompt",
          prompt_fingerprint: fingerprint,
          agent: "agent",
          warn_at: 3,
          kill_at: 5,
        },
        key: `D1.identical_call:kill:trace:t-prompt@${T0_MS}`,
      },
    ]);
  });

  it("does not fire when another call breaks the streak", () => {
    const episode = new Episode();
    for (let i = 0; i < 10; i++) {
      episode.call("get_order_details", { order_id: "#W1" }, { status: "delivered" });
      episode.call("get_order_details", { order_id: "#W1" }, { status: "delivered" });
      episode.call("check_policy", { topic: `topic ${i}` }, `policy ${i}`);
    }
    expect(
      run(new DetectionEngine(), episode.events).filter((f) => f.detector === "D1.identical_call"),
    ).toEqual([]);
  });

  it("does not fire on a batch edit of 30 files, one call per file", () => {
    const episode = new Episode({ agent: "coder" });
    for (let i = 0; i < 30; i++) {
      episode.call(
        "edit_file",
        { path: `src/module-${i}.ts`, diff: "rename fetchUser → loadUser" },
        `src/module-${i}.ts: +1 -1`,
      );
    }
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("does not fire on a batch edit of 30 files asked for in one response (30 parallel calls)", () => {
    const episode = new Episode({ agent: "coder" });
    const calls = Array.from({ length: 30 }, (_, i) => ({
      name: "edit_file",
      args: { path: `src/module-${i}.ts` },
    }));
    episode.llm("rename fetchUser everywhere", { tools: calls });
    for (let i = 0; i < 30; i++) episode.tool("edit_file", `src/module-${i}.ts: +1 -1`);
    episode.llm("done renaming");
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("blocks each looping tool call separately; the run is killed once", () => {
    const episode = new Episode({ traceId: "t2" });
    for (const orderId of ["#A", "#B"]) {
      for (let i = 0; i < 4; i++)
        episode.llm(`${orderId} ${i}`, { tools: [{ name: "get_order", args: { orderId } }] });
    }
    const fingerprintA = toolCallFingerprint("get_order", { orderId: "#A" });
    const fingerprintB = toolCallFingerprint("get_order", { orderId: "#B" });
    const finding = (action: "warn" | "block_tool", repeats: number, fingerprint: string) => ({
      detector: "D1.identical_call",
      action,
      scope: { trace_id: "t2" },
      reason:
        action === "warn"
          ? "agent agent in trace t2 requested the same tool call 3 times in a row (kill at 5)."
          : "agent agent in trace t2 requested the same tool call 4 times in a row; blocking that call (kill at 5).",
      evidence: {
        repeats,
        step: "tool_calls",
        tool_call_fingerprints: [fingerprint],
        agent: "agent",
        ...PARAMETERS,
      },
      key: `D1.identical_call:${action}:trace:t2@${T0_MS}:${fingerprint}`,
    });
    expect(run(new DetectionEngine(), episode.events)).toEqual([
      finding("warn", 3, fingerprintA),
      finding("block_tool", 4, fingerprintA),
      finding("warn", 3, fingerprintB),
      finding("block_tool", 4, fingerprintB),
    ]);
  });

  it("does not count a prompt streak for calls that requested tools: one document, five forced extractions", () => {
    // Same messages and tools each time; tool_choice (not in the fingerprint) forces a different tool.
    const prompt = promptFingerprint({ model: "gpt-4o", messages: ["Extract from the contract: <text>"] });
    const episode = new Episode({ traceId: "t-extract" });
    for (const field of ["parties", "dates", "amounts", "clauses", "signatures"]) {
      const event = episode.llm("extract", { tools: [{ name: `extract_${field}`, args: { doc: 1 } }] });
      event.promptFingerprint = prompt;
      episode.tool(`extract_${field}`, { field });
    }
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("counts a prompt streak across the traces of a session: a bare loop whose calls are each a trace", () => {
    // No enclosing span: every call is a trace of its own, so only the session sees the loop.
    // (A Responses chat's "continue" turns differ: previous_response_id is in their prompt.)
    const events = Array.from({ length: 6 }, (_, call) =>
      new Episode({ traceId: `call-${call}`, sessionId: "loop-1", startMs: T0_MS + call * 2_000 }).llm(
        "summarise the ticket",
        { stateless: true },
      ),
    );
    const fingerprint = promptFingerprint({ model: "gpt-4o", messages: ["summarise the ticket"] });
    const evidence = {
      agent: "agent",
      kill_at: 5,
      prompt_fingerprint: fingerprint,
      step: "prompt",
      warn_at: 3,
    };
    const run0 = `session:loop-1@${T0_MS}`;
    expect(run(new DetectionEngine(), events)).toEqual([
      {
        action: "warn",
        detector: "D1.identical_call",
        evidence: { ...evidence, repeats: 3 },
        key: `D1.identical_call:warn:${run0}:${fingerprint}`,
        reason: "agent agent in session loop-1 sent the same prompt 3 times in a row (kill at 5).",
        scope: { session_id: "loop-1" },
      },
      {
        action: "kill",
        detector: "D1.identical_call",
        evidence: { ...evidence, repeats: 5 },
        key: `D1.identical_call:kill:${run0}`,
        reason: "agent agent in session loop-1 sent the same prompt 5 times in a row, the limit is 5.",
        scope: { session_id: "loop-1" },
      },
    ]);
  });

  it("does not count refused calls: four 429s, then the call goes through and the agent moves on", () => {
    const episode = new Episode({ traceId: "t-429" });
    const retry = () => episode.llm("step 7", { stateless: true, tokens: 0, costUsd: "0" });
    for (let i = 0; i < 4; i++) retry().failed = true;
    episode.llm("step 7", { stateless: true, tools: [{ name: "search", args: { q: "refunds" } }] });
    episode.tool("search", ["#1"]);
    episode.llm("step 8", { stateless: true, tools: [{ name: "read", args: { id: 1 } }] });
    // Eight refused retries of one prompt: nothing was billed, so no loop either, whether the
    // span says it failed or only that it used no tokens.
    for (let i = 0; i < 8; i++) retry().failed = i % 2 === 0;
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("neither breaks nor extends a streak with a refused call in between", () => {
    const episode = new Episode({ traceId: "t-gap" });
    for (let i = 0; i < 5; i++) {
      episode.llm(`try ${i}`, { tools: [{ name: "get_order_details", args: { order_id: "#1" } }] });
      const refused = episode.llm(`try ${i} again`, { tokens: 0 });
      refused.failed = true;
    }
    expect(run(new DetectionEngine(), episode.events).map((f) => [f.action, f.evidence.repeats])).toEqual([
      ["warn", 3],
      ["block_tool", 4],
      ["kill", 5],
    ]);
  });
});
