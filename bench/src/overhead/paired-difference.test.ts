import { describe, expect, it } from "vitest";
import { pairedDifference } from "./paired-difference.js";

describe("pairedDifference", () => {
  it("is exact when every round differs by the same amount, however noisy the rounds", () => {
    const b = [500, 900, 480, 2_000, 510];
    expect(
      pairedDifference(
        b.map((v) => v + 12),
        b,
      ),
    ).toEqual({ median: 12, low: 12, high: 12 });
  });

  it("brackets the median of the differences, narrower with more rounds", () => {
    // Differences 1..101 and 1..1001 in a scrambled order (37 is coprime to both lengths): medians 51 and 501.
    const series = (n: number) => Array.from({ length: n }, (_, i) => ((i * 37) % n) + 1);
    const small = pairedDifference(series(101), new Array(101).fill(0));
    const large = pairedDifference(series(1001), new Array(1001).fill(0));
    expect({
      smallMedian: small.median,
      smallBrackets: small.low < 51 && small.high > 51,
      largeMedian: large.median,
      largeBrackets: large.low < 501 && large.high > 501,
      // Relative width shrinks roughly with the square root of the rounds.
      narrower: (large.high - large.low) / 1001 < (small.high - small.low) / 101,
    }).toEqual({
      smallMedian: 51,
      smallBrackets: true,
      largeMedian: 501,
      largeBrackets: true,
      narrower: true,
    });
  });

  it("gives the same interval for the same samples", () => {
    const a = [5, 9, 2, 7, 7, 1, 8];
    const b = [1, 2, 3, 1, 2, 3, 1];
    expect(pairedDifference(a, b)).toEqual(pairedDifference(a, b));
  });

  it("refuses series of different lengths", () => {
    expect(() => pairedDifference([1, 2], [1])).toThrow(
      "pairedDifference needs two equal, non-empty series; got 2 and 1",
    );
  });
});
