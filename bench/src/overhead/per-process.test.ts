import { describe, expect, it } from "vitest";
import type { Mode } from "./calls.js";
import { addedPerProcess, type RoundSamples } from "./overhead-report.js";
import { mergeFinished, type SpanTallies } from "./span-tally.js";

const rounds = (values: number[]): Record<Mode, number[]> => ({ non_streaming: values, streaming: values });

describe("several child processes per configuration", () => {
  it("gives each process's added time from the rounds it ran (round r ran process r mod n)", () => {
    // Process 0 of burnrate adds 10 µs, process 1 adds 30; bare varies from round to round.
    const bare = [500, 700, 520, 650, 480, 900];
    const samples: RoundSamples = {
      bare: rounds(bare),
      burnrate: rounds(bare.map((v, r) => v + (r % 2 === 0 ? 10 : 30))),
      otel_contrib: rounds(bare.map((v) => v + 20)),
      traceloop: rounds(bare.map((v, r) => v + [5, 15, 25, 5, 15, 25][r]!)),
    };
    const of = addedPerProcess(samples, 2);
    expect({
      burnrate: of("burnrate", "non_streaming"),
      otel_contrib: of("otel_contrib", "streaming"),
      traceloop: of("traceloop", "non_streaming"),
    }).toEqual({ burnrate: [10, 30], otel_contrib: [20, 20], traceloop: [15, 15] });
  });

  it("adds up the children's spans and calls, keeping a sample span", () => {
    const tallies = (spans: number, withUsage: number, sampled: boolean): SpanTallies => ({
      non_streaming: {
        spans,
        described: spans,
        withUsage,
        ...(sampled ? { sample: { name: "chat gpt-4o-mini", attributes: { a: 1 } } } : {}),
      },
      streaming: { spans: spans + 1, described: spans, withUsage: 0 },
    });
    const merged = mergeFinished([
      { type: "finished", tallies: tallies(10, 10, false), calls: { non_streaming: 10, streaming: 11 } },
      { type: "finished", tallies: tallies(7, 6, true), calls: { non_streaming: 8, streaming: 8 } },
    ]);
    expect(merged).toEqual({
      type: "finished",
      tallies: {
        non_streaming: {
          spans: 17,
          described: 17,
          withUsage: 16,
          sample: { name: "chat gpt-4o-mini", attributes: { a: 1 } },
        },
        streaming: { spans: 19, described: 17, withUsage: 0 },
      },
      calls: { non_streaming: 18, streaming: 19 },
    });
  });
});
