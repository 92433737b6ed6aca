import { describe, expect, it } from "vitest";
import { DetectionEngine } from "./engine.js";
import type { DetectorEvent, Finding } from "./events.js";
import { ROUND_MOST_CALLS, ROUND_WINDOW_MS } from "./identical.js";
import { Episode, run, T0_MS } from "./testdata/episode.js";

/** The order an exporter sends spans in: as they end. */
const byEnd = (events: DetectorEvent[]) =>
  [...events].sort((a, b) => Number((a.endUnixNano ?? 0n) - (b.endUnixNano ?? 0n)));
const withoutEnds = (events: DetectorEvent[]) => events.map(({ endUnixNano: _, ...event }) => event);
const rungs = (findings: Finding[]) =>
  findings.map((f) => ({ detector: f.detector, action: f.action, repeats: f.evidence.repeats }));

/** The 1-based position, in `events`, of the call whose arrival brought the kill; 0 for none. */
function killedAt(events: DetectorEvent[]): number {
  const engine = new DetectionEngine();
  const index = events.findIndex((event) => engine.observe(event).some((f) => f.action === "kill"));
  return index + 1;
}

/** `n` calls of one prompt sent at once (within a few ms), answered 0.8 to 1.2 s later. */
function bestOf(episode: Episode, n: number, atMs: number): void {
  for (let i = 0; i < n; i++) {
    episode.llm("Rate this essay from 1 to 10.", {
      stateless: true,
      atMs: atMs + i,
      endMs: atMs + 800 + ((i * 173) % 400),
    });
  }
}

describe("D1 and calls sent side by side", () => {
  it("does not count best-of-5 (one prompt sent five times at once) as a streak", () => {
    const episode = new Episode({ traceId: "t-best-of" });
    bestOf(episode, 5, T0_MS);
    const events = byEnd(episode.events);
    expect({
      withEnds: run(new DetectionEngine(), events),
      withoutEnds: killedAt(withoutEnds(events)),
    }).toEqual({
      withEnds: [],
      withoutEnds: 5,
    });
  });

  it("counts a best-of-5 round as one step of a loop that repeats it", () => {
    const episode = new Episode({ traceId: "t-best-of-loop" });
    for (let round = 0; round < 6; round++) bestOf(episode, 5, T0_MS + round * 2_000);
    expect(rungs(run(new DetectionEngine(), byEnd(episode.events)))).toEqual([
      { detector: "D1.identical_call", action: "warn", repeats: 3 },
      { detector: "D1.identical_call", action: "kill", repeats: 5 },
    ]);
  });

  it("does not count five same-name sub-agents that start with the same tool call", () => {
    const episode = new Episode({ traceId: "t-fan-out" });
    for (let i = 0; i < 5; i++) {
      episode.llm(`summarise document ${i}`, {
        agent: "summariser",
        tools: [{ name: "get_style_guide", args: {} }],
        atMs: T0_MS + 4 * i,
        endMs: T0_MS + 600 + 90 * i,
      });
    }
    for (let i = 0; i < 5; i++) {
      episode.llm(`summarise document ${i} in the house style`, {
        agent: "summariser",
        atMs: T0_MS + 1_000 + i,
        endMs: T0_MS + 2_000 + i,
      });
    }
    expect(run(new DetectionEngine(), byEnd(episode.events))).toEqual([]);
  });

  it(`counts a fan-out wider than ${ROUND_MOST_CALLS} calls as a round per ${ROUND_MOST_CALLS}`, () => {
    const episode = new Episode({ traceId: "t-wide" });
    bestOf(episode, 2 * ROUND_MOST_CALLS + 1, T0_MS);
    expect(rungs(run(new DetectionEngine(), byEnd(episode.events)))).toEqual([
      { detector: "D1.identical_call", action: "warn", repeats: 3 },
    ]);
  });

  it(`counts re-asks sent without waiting for the answer as a new round every ${ROUND_WINDOW_MS} ms`, () => {
    // A timer re-sends the prompt every 30 ms; each call takes a second. Rounds begin at
    // calls 1, 5, 9, 13 and 17 (the fifth call is 120 ms after the first).
    const episode = new Episode({ traceId: "t-timer" });
    for (let i = 0; i < 20; i++) {
      episode.llm("Is the build green yet?", {
        stateless: true,
        atMs: T0_MS + 30 * i,
        endMs: T0_MS + 30 * i + 1_000,
      });
    }
    expect(killedAt(byEnd(episode.events))).toBe(17);
  });

  it("counts back-to-back calls whose span times overlap by under 2 ms (clock jitter) as steps", () => {
    const episode = new Episode({ traceId: "t-jitter" });
    for (let i = 0; i < 6; i++) {
      // Each starts 1 ms before the one before it ends, as separate span clocks can make it look.
      episode.llm("Extract the total as JSON.", {
        stateless: true,
        atMs: T0_MS + 9 * i,
        endMs: T0_MS + 9 * i + 10,
      });
    }
    expect(killedAt(byEnd(episode.events))).toBe(5);
  });

  it("still stops three same-name agents that each loop side by side", () => {
    const episode = new Episode({ traceId: "t-three-loops" });
    const latencies = [700, 1_100, 1_450];
    for (let w = 0; w < 3; w++) {
      let t = T0_MS + 3 * w;
      for (let i = 0; i < 10; i++) {
        const end = t + latencies[w]! + 37 * ((i * (w + 1)) % 7);
        episode.llm(`worker ${w} attempt ${i}`, {
          agent: "summariser",
          tools: [{ name: "list_files", args: { dir: "/docs" } }],
          atMs: t,
          endMs: end,
        });
        t = end + 32;
      }
    }
    const events = byEnd(episode.events);
    const at = killedAt(events);
    // Without end times every identical call is a step, and the fifth is killed.
    expect({ killed: at > 0 && at <= 9, before: killedAt(withoutEnds(events)) }).toEqual({
      killed: true,
      before: 5,
    });
  });

  it("still stops a session's retry loop whose calls arrive out of order from two pods", () => {
    const episode = new Episode({ traceId: "", sessionId: "s-pods" });
    for (let i = 0; i < 12; i++) {
      episode.llm("same question", {
        agent: "chat",
        stateless: true,
        atMs: T0_MS + 1_000 * i,
        endMs: T0_MS + 1_000 * i + 500,
      });
    }
    const a = episode.events.filter((_, i) => i % 2 === 0);
    const b = episode.events.filter((_, i) => i % 2 === 1);
    const arrival = [...b.slice(0, 3), ...a.slice(0, 6), ...b.slice(3)];
    expect(rungs(run(new DetectionEngine(), arrival)).map((r) => r.action)).toEqual(["warn", "kill"]);
  });

  it("treats a call without a usable start time as a step, as before", () => {
    const episode = new Episode({ traceId: "t-no-start" });
    for (let i = 0; i < 6; i++) {
      const event = episode.llm("Extract the total as JSON.", {
        stateless: true,
        atMs: T0_MS,
        endMs: T0_MS + 500,
      });
      event.timeUnixNano = 0n;
    }
    expect(killedAt(episode.events)).toBe(5);
  });
});
