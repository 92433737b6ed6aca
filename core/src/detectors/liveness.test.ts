import { describe, expect, it } from "vitest";
import { DetectionEngine } from "./engine.js";
import { Episode, run, T0_MS } from "./testdata/episode.js";

/** Varied, unpriced work: every call asks for a different lookup. */
function work(episode: Episode, calls: number): void {
  for (let i = 0; i < calls; i++) episode.call("get_order_details", { order_id: `#${i}` }, { order: i });
}

describe("D6 liveness", () => {
  it("kills a run at its 200th LLM call", () => {
    const episode = new Episode({ traceId: "t-long" });
    work(episode, 205);
    const engine = new DetectionEngine();
    expect(
      run(
        engine,
        episode.events.map((e) => ({ ...e, costUsd: "0" })),
      ),
    ).toEqual([
      {
        detector: "D6.liveness",
        action: "kill",
        scope: { trace_id: "t-long" },
        reason: "trace t-long made 200 LLM calls, its limit is 200.",
        evidence: {
          limit: "calls",
          llm_calls: 200,
          tokens: 180_000,
          age_seconds: 398,
          max_calls: 200,
          max_age_seconds: 21600,
        },
        key: `D6.liveness:kill:trace:t-long@${T0_MS}`,
      },
    ]);
  });

  it("does not count tool executions as calls", () => {
    const episode = new Episode();
    work(episode, 199);
    expect(
      run(
        new DetectionEngine(),
        episode.events.map((e) => ({ ...e, costUsd: "0" })),
      ),
    ).toEqual([]);
  });

  it("kills a run 6 hours after its first event, by event time", () => {
    const episode = new Episode({ traceId: "t-old", stepMs: 30 * 60_000 });
    for (let i = 0; i <= 13; i++) episode.llm(`check ${i}`, { costUsd: "0" });
    expect(run(new DetectionEngine(), episode.events)).toEqual([
      {
        detector: "D6.liveness",
        action: "kill",
        scope: { trace_id: "t-old" },
        reason: "trace t-old has run for 6 h, its limit is 6 h.",
        evidence: {
          limit: "age",
          llm_calls: 13,
          tokens: 11_700,
          age_seconds: 21600,
          max_calls: 200,
          max_age_seconds: 21600,
        },
        key: `D6.liveness:kill:trace:t-old@${T0_MS}`,
      },
    ]);
  });

  it("lets a feature that runs all day raise the age cap", () => {
    const build = (feature: string) => {
      const episode = new Episode({ traceId: "t-import", feature, stepMs: 3600_000, startMs: T0_MS });
      for (let i = 0; i < 10; i++) episode.llm(`chunk ${i}`, { costUsd: "0" });
      return episode.events;
    };
    const engine = new DetectionEngine({
      overrides: { feature: { "batch-import": { runMaxAgeSeconds: 86_400 } } },
    });
    expect(run(engine, build("batch-import"))).toEqual([]);
    expect(run(new DetectionEngine(), build("batch-import"))).toEqual([
      {
        detector: "D6.liveness",
        action: "kill",
        scope: { trace_id: "t-import" },
        reason: "trace t-import has run for 6 h, its limit is 6 h.",
        evidence: {
          limit: "age",
          llm_calls: 7,
          tokens: 6_300,
          age_seconds: 21600,
          max_calls: 200,
          max_age_seconds: 21600,
        },
        key: `D6.liveness:kill:trace:t-import@${T0_MS}`,
      },
    ]);
  });

  it("gives sessions, which span many traces, no call-count or age cap by default", () => {
    // A support chat: a trace per customer turn every 2 minutes, 4 calls each, 240 calls in all.
    const chat = () =>
      Array.from({ length: 60 }, (_, turn) => {
        const episode = new Episode({
          traceId: `turn-${turn}`,
          sessionId: "chat-3",
          startMs: T0_MS + turn * 120_000,
        });
        for (let i = 0; i < 4; i++) episode.llm(`turn ${turn} step ${i}`, { costUsd: "0" });
        return episode.events;
      }).flat();
    // An IDE session: a short trace every 20 minutes for 7 hours.
    const ide = () =>
      Array.from({ length: 22 }, (_, task) => {
        const episode = new Episode({
          traceId: `task-${task}`,
          sessionId: "ide-7",
          startMs: T0_MS + task * 20 * 60_000,
        });
        for (let i = 0; i < 3; i++) episode.llm(`task ${task} step ${i}`, { costUsd: "0" });
        return episode.events;
      }).flat();
    expect({ chat: run(new DetectionEngine(), chat()), ide: run(new DetectionEngine(), ide()) }).toEqual({
      chat: [],
      ide: [],
    });
    // A cap is one setting away, and then it holds for the session as for a trace.
    const engine = new DetectionEngine({ overrides: { session: { runMaxCalls: 200 } } });
    expect(run(engine, chat())).toEqual([
      {
        detector: "D6.liveness",
        action: "kill",
        scope: { session_id: "chat-3" },
        reason: "session chat-3 made 200 LLM calls, its limit is 200.",
        evidence: {
          limit: "calls",
          llm_calls: 200,
          tokens: 180_000,
          age_seconds: 5883,
          max_calls: 200,
          max_age_seconds: 0,
        },
        key: `D6.liveness:kill:session:chat-3@${T0_MS}`,
      },
    ]);
  });
});
