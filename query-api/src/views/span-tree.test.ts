import { describe, expect, it } from "vitest";
import type { CallRow } from "../queries/trace-calls.js";
import type { SpanRow } from "../queries/trace-spans.js";
import { buildSpanTree } from "./span-tree.js";

const spanRow = (id: string, parent: string, start: string): SpanRow => ({
  span_id: id,
  parent_span_id: parent,
  name: `span ${id}`,
  kind: "Internal",
  service: "svc",
  start: `2026-11-02 09:00:0${start}.000000000`,
  end: `2026-11-02 09:00:0${start}.500000000`,
  duration_ns: 500_000_000,
  status: "Unset",
});

const callRow = (id: string, parent: string, cost: string | null): CallRow => ({
  trace_id: "t",
  span_id: id,
  parent_span_id: parent,
  start: "2026-11-02 09:00:05.000000000",
  end: "2026-11-02 09:00:06.000000000",
  duration_ns: 1_000_000_000,
  service: "svc",
  agent: "",
  feature: "",
  user_id: "",
  tenant: "",
  session_id: "",
  provider: "openai",
  operation: "chat",
  request_model: "gpt-4o",
  response_model: "",
  service_tier: "",
  input_tokens: 10,
  audio_input_tokens: 0,
  output_tokens: 1,
  audio_output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  cache_write_1h_tokens: 0,
  reasoning_tokens: 0,
  web_searches: 0,
  cost_input: cost ?? "0.000000000000",
  cost_output: "0.000000000000",
  cost_cache_read: "0.000000000000",
  cost_cache_write: "0.000000000000",
  cost_total: cost ?? "0.000000000000",
  cost_source: cost === null ? "unpriced" : "computed",
  price_version: "",
  estimated: false,
  status: "ok",
  error_type: "",
});

const shape = (tree: ReturnType<typeof buildSpanTree>) =>
  tree.map((s) => [s.spanId, s.depth, s.subtree.calls, s.subtree.unpricedCalls, s.subtree.pricedCostUsd]);

describe("buildSpanTree", () => {
  it("puts parents before children and sums each subtree", () => {
    const tree = buildSpanTree(
      [spanRow("b", "a", "2"), spanRow("a", "", "1"), spanRow("c", "a", "3")],
      [callRow("c", "a", "0.000100000000"), callRow("d", "b", null), callRow("e", "b", "0.000000000001")],
    );
    expect(shape(tree)).toEqual([
      ["a", 0, 3, 1, "0.000100000001"],
      ["b", 1, 2, 1, "0.000000000001"],
      ["d", 2, 1, 1, "0.000000000000"],
      ["e", 2, 1, 0, "0.000000000001"],
      ["c", 1, 1, 0, "0.000100000000"],
    ]);
    // A call without a stored span is named the way GenAI spans are.
    expect(tree[2]).toMatchObject({
      name: "chat gpt-4o",
      kind: "Client",
      call: { cost: { totalUsd: null } },
    });
  });

  it("makes a span whose parent is missing a root, and shows a parent loop once", () => {
    const tree = buildSpanTree(
      [spanRow("x", "gone", "1"), spanRow("p", "q", "2"), spanRow("q", "p", "3")],
      [],
    );
    expect(shape(tree)).toEqual([
      ["x", 0, 0, 0, "0.000000000000"],
      ["p", 0, 0, 0, "0.000000000000"],
      ["q", 1, 0, 0, "0.000000000000"],
    ]);
  });

  it("builds a chain of 20,000 nested spans without overflowing the stack", () => {
    const depth = 20_000;
    const id = (i: number) => `s${String(i).padStart(5, "0")}`;
    const spans = Array.from({ length: depth }, (_, i) => ({
      ...spanRow(id(i), i === 0 ? "" : id(i - 1), "1"),
      start: `2026-11-02 09:00:01.${String(i).padStart(9, "0")}`,
    }));
    const leaf = id(depth - 1);
    const tree = buildSpanTree(spans, [callRow(leaf, id(depth - 2), "0.000100000000")]);
    expect(tree).toHaveLength(depth);
    expect(tree.every((s, i) => s.spanId === id(i) && s.depth === i)).toBe(true);
    // The leaf's one call is in every ancestor's subtree.
    expect(new Set(shape(tree).map(([, , ...subtree]) => subtree.join(" ")))).toEqual(
      new Set(["1 0 0.000100000000"]),
    );
  });
});
