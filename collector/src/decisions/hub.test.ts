import type { Decision } from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { DecisionHub, type StreamedDecision } from "./hub.js";

const decision = (id: string, scope: Decision["scope"], project = "p1", expiresInMs = 60_000): Decision => ({
  decision_id: id,
  project_id: project,
  action: "kill",
  scope,
  detector: "D1.identical_call",
  reason: "r",
  evidence: {},
  created_at: new Date(0).toISOString(),
  expires_at: new Date(Date.now() + expiresInMs).toISOString(),
});

describe("DecisionHub", () => {
  it("sends a subscriber its project's decisions, for its service or for no service", () => {
    const hub = new DecisionHub();
    const got: string[] = [];
    hub.subscribe({
      projectId: "p1",
      service: "api",
      send: (e) => got.push(e.decision.decision_id),
      end: () => {},
    });
    hub.publish(decision("a", { trace_id: "t" }));
    hub.publish(decision("b", { service: "api" }));
    hub.publish(decision("c", { service: "worker" }));
    hub.publish(decision("d", { trace_id: "t" }, "p2"));
    expect(got).toEqual(["a", "b"]);
  });

  it("replays what a reconnecting client missed after its Last-Event-ID", () => {
    const hub = new DecisionHub();
    const first: StreamedDecision[] = [];
    const sub = { projectId: "p1", send: (e: StreamedDecision) => first.push(e), end: () => {} };
    hub.subscribe(sub);
    hub.publish(decision("a", { trace_id: "t1" }));
    hub.unsubscribe(sub);
    hub.publish(decision("b", { trace_id: "t2" }));
    hub.publish(decision("c", { trace_id: "t3" }));
    const missed = hub.subscribe({ projectId: "p1", send: () => {}, end: () => {} }, first[0]!.id);
    expect(missed.map((e) => e.decision.decision_id)).toEqual(["b", "c"]);
  });

  it("gives a fresh client every decision still in force, and none that expired", () => {
    const hub = new DecisionHub();
    hub.publish(decision("old", { trace_id: "t" }, "p1", -1));
    hub.publish(decision("live", { trace_id: "t" }));
    const initial = hub.subscribe({ projectId: "p1", send: () => {}, end: () => {} }, "another-boot-7");
    expect(initial.map((e) => e.decision.decision_id)).toEqual(["live"]);
  });

  it("keeps a bounded number of recent decisions", () => {
    const hub = new DecisionHub(3);
    for (const id of ["a", "b", "c", "d", "e"]) hub.publish(decision(id, { trace_id: id }));
    expect(
      hub.subscribe({ projectId: "p1", send: () => {}, end: () => {} }).map((e) => e.decision.decision_id),
    ).toEqual(["c", "d", "e"]);
  });
});
