import { DetectionEngine, normaliseSpan, type Span, toolCallFingerprint } from "@burnrate/core";
import { describe, expect, it } from "vitest";
import type { Batch } from "../pipeline/batch.js";
import { chatSpan } from "../pipeline/testdata/span.js";
import { detectorEvents } from "./events.js";

const NOW_MS = 1_760_000_000_000;
const GET_ORDER = toolCallFingerprint("get_order", { id: 1 });

/** An agent's call asking for get_order({id: 1}), from `startMs` for `tookMs`. */
function loopStep(n: number, startMs: number, tookMs: number): Span {
  const span = chatSpan(`${n}`.padStart(16, "0"), {
    "gen_ai.operation.name": "chat",
    "gen_ai.usage.input_tokens": 900,
    "gen_ai.usage.output_tokens": 20,
    "gen_ai.agent.name": "worker",
    "burnrate.tool_call.fingerprints": [GET_ORDER],
  });
  span.startTimeUnixNano = BigInt(startMs) * 1_000_000n;
  span.endTimeUnixNano = BigInt(startMs + tookMs) * 1_000_000n;
  return span;
}

function batchOf(spans: Span[]): Batch {
  const calls = spans.map((span) => normaliseSpan(span, "proj")!);
  return { projectId: "proj", spans, calls, rejected: [], outcome: undefined as never, awaiting: [] };
}

describe("detector events", () => {
  it("carry each call's start and end", () => {
    const [event] = detectorEvents(batchOf([loopStep(1, NOW_MS - 1_000, 300)]), NOW_MS);
    expect({ start: event!.timeUnixNano, end: event!.endUnixNano }).toEqual({
      start: BigInt(NOW_MS - 1_000) * 1_000_000n,
      end: BigInt(NOW_MS - 700) * 1_000_000n,
    });
  });

  it("drop the end of a call whose start is capped, so a client clock ahead does not make a loop look parallel", () => {
    // A client two minutes ahead exports a loop of five sequential 300 ms calls in one batch:
    // every start is capped at the collector's now + 60 s, so with their ends the five would
    // seem to start together and overlap, one round of calls sent side by side.
    const ahead = NOW_MS + 120_000;
    const spans = Array.from({ length: 5 }, (_, i) => loopStep(i + 1, ahead + 320 * i, 300));
    const events = detectorEvents(batchOf(spans), NOW_MS);
    const engine = new DetectionEngine();
    const findings = events.flatMap((event) => engine.observe(event));
    expect({
      times: events.map((e) => ({ start: e.timeUnixNano, end: e.endUnixNano })),
      actions: findings.map((f) => `${f.detector}:${f.action}`),
    }).toEqual({
      times: Array(5).fill({ start: BigInt(NOW_MS + 60_000) * 1_000_000n, end: undefined }),
      actions: ["D1.identical_call:warn", "D1.identical_call:block_tool", "D1.identical_call:kill"],
    });
  });
});
