import { describe, expect, it } from "vitest";
import { digest } from "../fingerprint.js";
import { DetectionEngine } from "./engine.js";
import { Episode, run, T0_MS } from "./testdata/episode.js";

const EMPTY = digest(JSON.stringify([]));
const PARAMETERS = { window: 20, warn_at: 3, kill_at: 5 };

describe("D4 no progress", () => {
  it("warns at 3 and kills at 5 identical results of one tool, even with new arguments each time", () => {
    const episode = new Episode({ traceId: "t-np" });
    const queries = [
      "blue kettle",
      "kettle blue",
      "electric kettle",
      "kettle 1.7l",
      "kettle steel",
      "kettle",
    ];
    for (const query of queries) episode.call("search_products", { query }, []);
    expect(run(new DetectionEngine(), episode.events)).toEqual([
      {
        detector: "D4.no_progress",
        action: "warn",
        scope: { trace_id: "t-np" },
        reason:
          "agent agent in trace t-np got the same result from search_products 3 times in its last 3 tool calls (kill at 5).",
        evidence: {
          tool_name: "search_products",
          result_digest: EMPTY,
          occurrences: 3,
          tool_calls_in_window: 3,
          agent: "agent",
          ...PARAMETERS,
        },
        key: `D4.no_progress:warn:trace:t-np@${T0_MS}:search_products`,
      },
      {
        detector: "D4.no_progress",
        action: "kill",
        scope: { trace_id: "t-np" },
        reason:
          "agent agent in trace t-np got the same result from search_products 5 times in its last 5 tool calls, the limit is 5.",
        evidence: {
          tool_name: "search_products",
          result_digest: EMPTY,
          occurrences: 5,
          tool_calls_in_window: 5,
          agent: "agent",
          ...PARAMETERS,
        },
        key: `D4.no_progress:kill:trace:t-np@${T0_MS}`,
      },
    ]);
  });

  it("only counts repeats inside the last 20 tool calls", () => {
    const episode = new Episode({ traceId: "t-spread" });
    for (let i = 0; i < 40; i++) {
      // The same empty search every 6th tool call: at most 4 of them fit in 20 calls.
      if (i % 6 === 0) episode.call("search_orders", { page: i }, []);
      else episode.call("get_order_details", { order_id: `#${i}` }, { order: i });
    }
    expect(run(new DetectionEngine(), episode.events)).toEqual([
      {
        detector: "D4.no_progress",
        action: "warn",
        scope: { trace_id: "t-spread" },
        reason:
          "agent agent in trace t-spread got the same result from search_orders 3 times in its last 13 tool calls (kill at 5).",
        evidence: {
          tool_name: "search_orders",
          result_digest: EMPTY,
          occurrences: 3,
          tool_calls_in_window: 13,
          agent: "agent",
          ...PARAMETERS,
        },
        key: `D4.no_progress:warn:trace:t-spread@${T0_MS}:search_orders`,
      },
    ]);
  });

  it("keys results by tool: two tools both answering [] are not one lack of progress", () => {
    const episode = new Episode();
    const tools = ["search_orders", "search_products", "list_returns", "list_refunds"];
    for (let i = 0; i < 8; i++) episode.call(tools[i % 4]!, { page: i }, []);
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("does not fire on edit → run tests loops whose results differ", () => {
    const episode = new Episode();
    for (let i = 0; i < 15; i++) {
      episode.call("edit_file", { path: `src/f${i}.ts` }, `src/f${i}.ts: +${i} -1`);
      episode.call("run_tests", {}, { passed: 30 + i, failed: 15 - i });
    }
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("needs acknowledgementTools for a write tool that answers every call with the same 'ok'", () => {
    const build = () => {
      const episode = new Episode({ traceId: "t-ack" });
      for (let i = 0; i < 30; i++) episode.call("edit_file", { path: `src/module-${i}.ts` }, "ok");
      return episode.events;
    };
    // A constant acknowledgement is indistinguishable from a search that keeps coming back empty…
    expect(run(new DetectionEngine(), build()).map((f) => `${f.detector}:${f.action}`)).toEqual([
      "D4.no_progress:warn",
      "D4.no_progress:kill",
    ]);
    // …so tools like this are named once in the config, and D1 and D2 still watch them.
    expect(run(new DetectionEngine({ acknowledgementTools: ["edit_file"] }), build())).toEqual([]);
  });

  it("watches traces, not sessions: every turn of a chat may look the customer up again", () => {
    const engine = new DetectionEngine();
    const events = Array.from({ length: 8 }, (_, turn) => {
      const episode = new Episode({
        traceId: `turn-${turn}`,
        sessionId: "chat-7",
        startMs: T0_MS + turn * 120_000,
      });
      episode.call("get_user_details", { user_id: "yusuf_rossi_9620" }, { name: "Yusuf Rossi", orders: 2 });
      episode.call("get_order_details", { order_id: `#W${turn}` }, { status: "delivered", order: turn });
      episode.llm(`answer to question ${turn}`);
      return episode.events;
    }).flat();
    expect(run(engine, events)).toEqual([]);
  });
});
