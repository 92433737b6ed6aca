import { describe, expect, it } from "vitest";
import { childrenInterval, pairedDifference } from "./paired-difference.js";

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

describe("childrenInterval", () => {
  it("is exact when every round differs by the same amount", () => {
    const b = [500, 900, 480, 2_000, 510, 620, 700, 505];
    expect(
      childrenInterval(
        b.map((v) => v + 12),
        b,
        4,
      ),
    ).toEqual({ low: 12, high: 12 });
  });

  it("widens with children whose offsets differ, where resampling rounds alone stays narrow", () => {
    // 4 children (round r belongs to child r mod 4) whose differences sit at 0, 4, 8 and 12 µs,
    // each with a little noise of its own: 400 rounds.
    const differences = Array.from({ length: 400 }, (_, r) => (r % 4) * 4 + ((r * 7) % 5) * 0.1);
    const zeros = new Array(400).fill(0);
    const rounds = pairedDifference(differences, zeros);
    const children = childrenInterval(differences, zeros, 4);
    expect({
      childrenBracketMedian: children.low <= rounds.median && children.high >= rounds.median,
      childrenWider: children.high - children.low > 3 * (rounds.high - rounds.low),
      reachesOuterChildren: children.low < 4 && children.high > 8,
    }).toEqual({ childrenBracketMedian: true, childrenWider: true, reachesOuterChildren: true });
  });

  it("with one child is a bootstrap over rounds", () => {
    const a = Array.from({ length: 301 }, (_, i) => ((i * 37) % 301) + 1);
    const zeros = new Array(301).fill(0);
    const one = childrenInterval(a, zeros, 1);
    expect({ bracketsMedian: one.low < 151 && one.high > 151, narrow: one.high - one.low < 60 }).toEqual({
      bracketsMedian: true,
      narrow: true,
    });
  });

  it("refuses a child count outside 1 to the number of rounds", () => {
    expect(() => childrenInterval([1, 2, 3], [0, 0, 0], 4)).toThrow(
      "childrenInterval needs 1 to 3 children (one round each at least); got 4",
    );
    expect(() => childrenInterval([1, 2, 3], [0, 0, 0], 0)).toThrow(
      "childrenInterval needs 1 to 3 children (one round each at least); got 0",
    );
  });
});
