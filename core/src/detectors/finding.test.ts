import { describe, expect, it } from "vitest";
import { dollars } from "./finding.js";

describe("dollars in a finding's sentence", () => {
  it("are cents from a cent up, and two significant digits below, cut off, so $0.000499 is not read as $0.0005", () => {
    const pico = [
      10_500_000_000_000n,
      10_000_000_000n,
      0n,
      4_700_000_000n,
      450_000_000n,
      500_000_000n,
      499_000_000n,
      9_999_600_000n,
      470_000n,
      1n,
    ];
    expect(pico.map(dollars)).toEqual([
      "$10.50",
      "$0.01",
      "$0.00",
      "$0.0047",
      "$0.00045",
      "$0.00050",
      "$0.00049",
      "$0.0099",
      "$0.00000047",
      "$0.000000000001",
    ]);
  });
});
