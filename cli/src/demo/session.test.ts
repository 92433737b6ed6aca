import { describe, expect, it } from "vitest";
import type { Output } from "../output.js";
import { DemoCosts } from "./costs.js";
import { LOOP_TICKET } from "./script.js";
import { DemoSession } from "./session.js";

const LOOP_TRACE = "b514a99a0c7f4e2d9e1f3a5b7c9d1e3f";

function narrated(): { out: Output; lines: string[] } {
  const lines: string[] = [];
  const record = (line: string) => lines.push(line.replace(/^\[ *\d+\.\d+s\] /, ""));
  return { out: { info: record, error: record }, lines };
}

function decision(id: string, scope: Record<string, string>, action = "kill") {
  return {
    agent: "agent-a",
    event: "decision",
    decision: { id, action, detector: "D1.identical_call", reason: `reason of ${id}`, scope },
  };
}

describe("demo session", () => {
  it("narrates only the decisions about the demo's own calls, not other apps' replayed kills", () => {
    const { out, lines } = narrated();
    const session = new DemoSession(out, new DemoCosts());
    // A collector that was already running replays the kills other apps are under.
    session.handle(decision("dec_other_trace", { trace_id: "94568d87aa0b4c1d8e2f3a4b5c6d7e8f" }));
    session.handle(decision("dec_other_feature", { feature: "checkout" }));
    session.handle(decision("dec_other_user", { feature: "demo", user: "alice" }));
    session.handle({
      agent: "agent-a",
      event: "turn",
      traceId: LOOP_TRACE,
      ticket: LOOP_TICKET.number,
      turn: 1,
      to: "agent-b",
      model: "gpt-4o",
      usage: { input: 120, output: 40 },
      startedAt: 0,
      endedAt: 1,
    });
    session.handle(decision("dec_demo_warn", { trace_id: LOOP_TRACE }, "warn"));
    session.handle(decision("dec_demo_budget", { feature: "demo" }, "warn"));
    session.handle(decision("dec_demo_kill", { trace_id: LOOP_TRACE }));
    expect(lines).toEqual([
      "agent-a → agent-b   turn  1  $0.0007 so far",
      "! warn from the collector: D1.identical_call",
      "         reason of dec_demo_warn",
      "! warn from the collector: D1.identical_call",
      "         reason of dec_demo_budget",
      "✖ killed by the collector: D1.identical_call (decision dec_demo_kill)",
      "         reason of dec_demo_kill",
    ]);
  });
});
