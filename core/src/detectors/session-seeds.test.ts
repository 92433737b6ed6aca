import { describe, expect, it } from "vitest";
import { DetectionEngine } from "./engine.js";
import type { DetectorEvent } from "./events.js";
import { MAX_COUNTED_LIVE, type SessionSeedRequest } from "./session-seeds.js";
import { Episode, T0_MS } from "./testdata/episode.js";

const HOUR = 3600_000;
const EVENING = T0_MS + 7 * HOUR;
const NO_D5 = { runMaxUsd: "0", burnRateMaxUsdPerMinute: "0", stepMaxUsd: "0", projectionMinutes: 0 };

/** A $1 call of session chat-1 (each in its own trace, as each turn of a chat is). */
function turn(i: number, ms: number, sessionId = "chat-1"): DetectorEvent {
  return new Episode({ traceId: `t${i}`, sessionId, startMs: ms }).llm(`turn ${i}`, { costUsd: "1" });
}

/** An engine with a $5 session budget that records what it asks storage for. */
function engine(): { engine: DetectionEngine; asked: SessionSeedRequest[] } {
  const asked: SessionSeedRequest[] = [];
  const e = new DetectionEngine({
    thresholds: NO_D5,
    budgets: [{ id: "per-session", scope: "session", limitUsd: "5" }],
  });
  e.onSessionSeed((request) => asked.push(request));
  return { engine: e, asked };
}

describe("session budgets and the session's earlier spend", () => {
  it("counts what a session spent before it idled out: $4 in the morning and $1 in the evening are $5 of $5", () => {
    const { engine: e, asked } = engine();
    const morning = [0, 1, 2, 3].map((i) => e.observe(turn(i, T0_MS + i * 60_000)));
    expect(morning.flat().map((f) => `${f.action} ${f.reason}`)).toEqual([
      "warn session chat-1 has spent $3.00 of its $5.00 budget (50% alert).",
      "warn session chat-1 has spent $4.00 of its $5.00 budget (80% alert).",
    ]);
    expect(asked).toEqual([
      { projectId: "proj", sessionId: "chat-1", beforeMs: T0_MS, countedLive: new Set() },
    ]);
    expect(e.seedSession(asked[0]!, "0")).toEqual([]);

    // Other traffic 7 hours later drops the idle session (runTtlSeconds is 6 h).
    e.observe(turn(50, EVENING - 60_000, "other"));
    expect(e.observe(turn(4, EVENING))).toEqual([]);
    expect(asked.slice(2)).toEqual([
      { projectId: "proj", sessionId: "chat-1", beforeMs: EVENING, countedLive: new Set() },
    ]);
    // Storage says $4 before the evening: the session is at $5, and stopped now. The morning's
    // warnings were sent in the morning.
    expect(e.seedSession(asked[2]!, "4")).toEqual([
      {
        detector: "budget",
        action: "kill",
        scope: { session_id: "chat-1" },
        reason: "session chat-1 has spent $5.00 of its $5.00 budget (100% alert; stopping it).",
        evidence: {
          budget_id: "per-session",
          threshold: 1,
          spent_usd: "5",
          limit_usd: "5",
          period: "run",
          alert_at: [0.5, 0.8, 1],
        },
        key: `budget:kill:session:chat-1@${EVENING}:per-session:1@5`,
      },
    ]);
    // A request is answered once.
    expect(e.seedSession(asked[2]!, "4")).toEqual([]);
  });

  it("names the calls it counted live that started before the session's first call, for storage to leave out", () => {
    const { engine: e, asked } = engine();
    e.observe(turn(0, T0_MS));
    // Two long streams that began before turn 0 end after it; a later turn is storage's to skip anyway.
    e.observe(turn(1, T0_MS - 20_000));
    e.observe(turn(2, T0_MS - 10_000));
    e.observe(turn(3, T0_MS + 1000));
    expect([...asked[0]!.countedLive]).toEqual(["t1/t1-span-1", "t2/t2-span-1"]);
    // Storage's $0 (before T0, less those two) plus the $4 counted live: $4 of $5, no stop.
    expect(e.seedSession(asked[0]!, "0")).toEqual([]);
    // Once the seed is in, nothing more is remembered.
    e.observe(turn(4, T0_MS - 30_000));
    expect(asked[0]!.countedLive.size).toBe(2);
  });

  it("refuses a seed when too many out-of-order calls were counted live to leave out", () => {
    const { engine: e, asked } = engine();
    e.observe(turn(0, T0_MS));
    for (let i = 1; i <= MAX_COUNTED_LIVE + 1; i++) e.observe({ ...turn(i, T0_MS - i), costUsd: "0.000001" });
    expect(asked[0]!.countedLive.size).toBe(MAX_COUNTED_LIVE + 1);
    expect(e.seedSession(asked[0]!, "100")).toEqual([]);
  });

  it("asks once per session run, only for sessions a budget watches, and never for traces", () => {
    const asked: SessionSeedRequest[] = [];
    const e = new DetectionEngine({
      thresholds: NO_D5,
      budgets: [
        { id: "vip", scope: "session", match: "chat-vip", limitUsd: "5" },
        { id: "per-trace", scope: "trace", limitUsd: "5" },
      ],
    });
    e.onSessionSeed((request) => asked.push(request));
    for (let i = 0; i < 3; i++) e.observe(turn(i, T0_MS + i * 1000, "chat-vip"));
    e.observe(turn(9, T0_MS, "chat-plain"));
    expect(asked).toEqual([
      { projectId: "proj", sessionId: "chat-vip", beforeMs: T0_MS, countedLive: new Set() },
    ]);
  });

  it("adds the earlier spend to the live spend: warnings the earlier spend had not crossed still come", () => {
    const { engine: e, asked } = engine();
    e.observe(turn(0, T0_MS));
    expect(e.seedSession(asked[0]!, "1.5").map((f) => f.reason)).toEqual([
      "session chat-1 has spent $2.50 of its $5.00 budget (50% alert).",
    ]);
    expect(e.observe(turn(1, T0_MS + 1000)).map((f) => f.reason)).toEqual([]);
    expect(e.observe(turn(2, T0_MS + 2000)).map((f) => f.reason)).toEqual([
      "session chat-1 has spent $4.50 of its $5.00 budget (80% alert).",
    ]);
    expect(e.seedSession(asked[0]!, "not money")).toEqual([]);
  });
});
