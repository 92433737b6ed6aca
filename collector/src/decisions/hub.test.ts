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

  it("holds a kill in force for connecting apps even after other projects' warnings fill the recent window", () => {
    const hub = new DecisionHub(3);
    const seen: StreamedDecision[] = [];
    const early = { projectId: "p2", send: (e: StreamedDecision) => seen.push(e), end: () => {} };
    hub.subscribe(early);
    hub.publish(decision("kill-b", { user: "bob" }, "p2"));
    hub.unsubscribe(early);
    for (let i = 0; i < 5; i++)
      hub.publish({ ...decision(`warn-${i}`, { trace_id: `t${i}` }), action: "warn" });
    const fresh = hub.subscribe({ projectId: "p2", send: () => {}, end: () => {} });
    // The client saw nothing after the kill, but the window moved on without it: it gets the kill again.
    const resumed = hub.subscribe({ projectId: "p2", send: () => {}, end: () => {} }, seen[0]!.id);
    const resumedBefore = hub.subscribe(
      { projectId: "p2", send: () => {}, end: () => {} },
      seen[0]!.id.replace(/\d+$/, "0"),
    );
    expect({
      fresh: fresh.map((e) => e.decision.decision_id),
      resumedAfterKill: resumed.map((e) => e.decision.decision_id),
      resumedBeforeKill: resumedBefore.map((e) => e.decision.decision_id),
    }).toEqual({ fresh: ["kill-b"], resumedAfterKill: [], resumedBeforeKill: ["kill-b"] });
  });

  it("leaves out decisions that expired while a reconnecting client was away", () => {
    const hub = new DecisionHub();
    const first: StreamedDecision[] = [];
    const sub = { projectId: "p1", send: (e: StreamedDecision) => first.push(e), end: () => {} };
    hub.subscribe(sub);
    hub.publish(decision("a", { trace_id: "t1" }));
    hub.unsubscribe(sub);
    hub.publish(decision("expired", { trace_id: "t2" }, "p1", 1_000));
    hub.publish(decision("live", { trace_id: "t3" }, "p1", 120_000));
    const missed = hub.subscribe(
      { projectId: "p1", send: () => {}, end: () => {} },
      first[0]!.id,
      Date.now() + 60_000,
    );
    expect(missed.map((e) => e.decision.decision_id)).toEqual(["live"]);
  });

  it("stops sending a kill that a release lifted; the release goes to clients that may hold the kill", () => {
    const hub = new DecisionHub(3);
    const seen: StreamedDecision[] = [];
    const early = { projectId: "p1", send: (e: StreamedDecision) => seen.push(e), end: () => {} };
    hub.subscribe(early);
    const month = { ...decision("kill-month", { user: "alice" }), detector: "budget" };
    hub.publish(month);
    hub.publish({ ...decision("kill-day", { user: "alice" }), detector: "budget" });
    hub.unsubscribe(early);
    const release: Decision = {
      ...month,
      decision_id: "release-month",
      action: "release",
      releases: "kill-month",
    };
    hub.publish(release);
    // Warnings push the kills and the release out of the recent window: the held ones remain.
    for (let i = 0; i < 3; i++)
      hub.publish({ ...decision(`warn-${i}`, { trace_id: `t${i}` }), action: "warn" });
    const ids = (events: StreamedDecision[]) => events.map((e) => e.decision.decision_id);
    const resume = (lastEventId?: string) =>
      ids(hub.subscribe({ projectId: "p1", send: () => {}, end: () => {} }, lastEventId));
    expect({
      fresh: resume(),
      afterKills: resume(seen[1]!.id),
      beforeKills: resume(seen[0]!.id.replace(/\d+$/, "0")),
    }).toEqual({
      // A fresh client holds no kill to release.
      fresh: ["kill-day", "warn-0", "warn-1", "warn-2"],
      afterKills: ["release-month", "warn-0", "warn-1", "warn-2"],
      beforeKills: ["kill-day", "release-month", "warn-0", "warn-1", "warn-2"],
    });
  });

  it("keeps a bounded number of recent decisions", () => {
    const hub = new DecisionHub(3);
    for (const id of ["a", "b", "c", "d", "e"]) hub.publish(decision(id, { trace_id: id }));
    expect(
      hub.subscribe({ projectId: "p1", send: () => {}, end: () => {} }).map((e) => e.decision.decision_id),
    ).toEqual(["c", "d", "e"]);
  });
});
