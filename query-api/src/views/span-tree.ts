import { formatUsd, parseUsd } from "@burnrate/core";
import type { CallRow } from "../queries/trace-calls.js";
import type { SpanRow } from "../queries/trace-spans.js";
import { isoFromSql } from "../schemas/time-range.js";
import type { TraceSpan } from "../schemas/trace.js";
import { compareText } from "./call-summary.js";
import { callModel, toSpanCall } from "./call-view.js";

interface Node {
  span: Omit<TraceSpan, "depth" | "subtree">;
  children: Node[];
  calls: number;
  unpriced: number;
  cost: bigint;
}

/**
 * Builds a trace's span tree from its stored spans and its LLM calls, in tree order.
 *
 * Each LLM call is attached to its span. A call whose span is not in `spans` (raw spans are
 * kept 90 days, calls 400) still gets a node, named `{operation} {model}` as the GenAI
 * conventions name it, so no cost goes missing from the tree. A span whose parent is absent
 * becomes a root. Each node's `subtree` sums its own call and its descendants' calls.
 */
export function buildSpanTree(spans: readonly SpanRow[], calls: readonly CallRow[]): TraceSpan[] {
  const callBySpan = new Map(calls.map((c) => [c.span_id, c]));
  const nodes = new Map<string, Node>();
  for (const s of spans) {
    if (nodes.has(s.span_id)) continue;
    const call = callBySpan.get(s.span_id);
    nodes.set(
      s.span_id,
      node(
        {
          spanId: s.span_id,
          parentSpanId: s.parent_span_id,
          name: s.name,
          kind: s.kind,
          service: s.service,
          startTime: isoFromSql(s.start),
          durationMs: s.duration_ns / 1e6,
          status: s.status.toLowerCase(),
          call: call ? toSpanCall(call) : null,
        },
        call,
      ),
    );
  }
  for (const c of calls) {
    if (nodes.has(c.span_id)) continue;
    nodes.set(
      c.span_id,
      node(
        {
          spanId: c.span_id,
          parentSpanId: c.parent_span_id,
          name: `${c.operation} ${callModel(c)}`.trim(),
          kind: "Client",
          service: c.service,
          startTime: isoFromSql(c.start),
          durationMs: c.duration_ns / 1e6,
          status: c.status,
          call: toSpanCall(c),
        },
        c,
      ),
    );
  }
  const roots: Node[] = [];
  for (const n of nodes.values()) {
    const parent = n.span.parentSpanId ? nodes.get(n.span.parentSpanId) : undefined;
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  // Spans whose parent links form a loop reach no root; each loop is shown from its earliest span.
  const reachable = new Set<Node>();
  for (const root of roots) markReachable(root, reachable);
  for (const n of sortNodes([...nodes.values()])) {
    if (!reachable.has(n)) {
      roots.push(n);
      markReachable(n, reachable);
    }
  }
  const visited = new Set<Node>();
  for (const root of sortNodes(roots)) sumSubtree(root, visited);
  return treeOrder(sortNodes(roots));
}

function node(span: Node["span"], call: CallRow | undefined): Node {
  const priced = call !== undefined && call.cost_source !== "unpriced";
  return {
    span,
    children: [],
    calls: call ? 1 : 0,
    unpriced: call && !priced ? 1 : 0,
    cost: priced ? parseUsd(call.cost_total) : 0n,
  };
}

// The walks below keep their own stacks rather than recursing: a trace's spans can nest
// thousands deep (an agent loop that opens each step inside the last), and one call frame
// per level overflowed the call stack at about 8,000 levels.

/** Adds `from` and every node reachable from it to `reachable`. */
function markReachable(from: Node, reachable: Set<Node>): void {
  reachable.add(from);
  const stack = [from];
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    for (const child of n.children) {
      if (reachable.has(child)) continue;
      reachable.add(child);
      stack.push(child);
    }
  }
}

/**
 * Adds each node's descendants into its totals, visiting each node once: depth first, a
 * child's totals added to its parent's once the child's own subtree is summed.
 */
function sumSubtree(root: Node, visited: Set<Node>): void {
  visited.add(root);
  const stack = [{ node: root, next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const child = frame.node.children[frame.next++];
    if (child === undefined) {
      stack.pop();
      const parent = stack[stack.length - 1]?.node;
      if (parent) {
        parent.calls += frame.node.calls;
        parent.unpriced += frame.node.unpriced;
        parent.cost += frame.node.cost;
      }
    } else if (!visited.has(child)) {
      visited.add(child);
      stack.push({ node: child, next: 0 });
    }
  }
}

/** The trees in pre-order (each span before its children, siblings by start), each node once. */
function treeOrder(roots: readonly Node[]): TraceSpan[] {
  const out: TraceSpan[] = [];
  const shown = new Set<Node>();
  // Pushed in reverse, so the earliest sibling is popped (and its subtree listed) first.
  const stack = [...roots].reverse().map((node) => ({ node, depth: 0 }));
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { node: n, depth } = item;
    if (shown.has(n)) continue;
    shown.add(n);
    out.push({
      ...n.span,
      depth,
      subtree: { calls: n.calls, unpricedCalls: n.unpriced, pricedCostUsd: formatUsd(n.cost) },
    });
    const children = sortNodes(n.children);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, depth: depth + 1 });
  }
  return out;
}

function sortNodes(nodes: Node[]): Node[] {
  return nodes.sort(
    (a, b) => compareText(a.span.startTime, b.span.startTime) || compareText(a.span.spanId, b.span.spanId),
  );
}
