import { describe, expect, it } from "vitest";
import { addUsd, amountsApart, costOfTokens, divideHalfEven, formatUsd, parseUsd, sumUsd } from "./money.js";

describe("parseUsd and formatUsd", () => {
  it("reads decimal strings exactly and writes exactly 12 decimals", () => {
    expect(parseUsd("0.00472")).toBe(4_720_000_000n);
    expect(formatUsd(parseUsd("0.00472"))).toBe("0.004720000000");
    expect(formatUsd(parseUsd("12"))).toBe("12.000000000000");
    expect(formatUsd(parseUsd("+.5"))).toBe("0.500000000000");
    expect(formatUsd(parseUsd("3."))).toBe("3.000000000000");
    expect(formatUsd(parseUsd("-2.5"))).toBe("-2.500000000000");
    expect(formatUsd(0n)).toBe("0.000000000000");
    expect(formatUsd(-1n)).toBe("-0.000000000001");
  });

  it("reads numbers through their shortest decimal form, never binary float math", () => {
    expect(parseUsd(0.1)).toBe(100_000_000_000n); // "0.1", not 0.1000000000000000055511151231257827
    expect(parseUsd(1.1)).toBe(1_100_000_000_000n);
    expect(parseUsd(0.275)).toBe(275_000_000_000n);
    expect(parseUsd(-0)).toBe(0n);
  });

  it("handles exponent forms, from numbers and from strings", () => {
    expect(String(1e-7)).toBe("1e-7");
    expect(parseUsd(1e-7)).toBe(100_000n); // $0.0000001 = 100,000 pico-dollars
    expect(parseUsd(1.5e-10)).toBe(150n);
    expect(parseUsd(1e21)).toBe(10n ** 33n); // String(1e21) is "1e+21"
    expect(parseUsd("-2.5E+3")).toBe(-2_500n * 10n ** 12n);
    expect(parseUsd("25e-1")).toBe(2_500_000_000_000n);
  });

  it("rounds digits beyond 12 decimals half-to-even", () => {
    expect(parseUsd("0.0000000000015")).toBe(2n); // 1.5 pico -> 2 (even)
    expect(parseUsd("0.0000000000025")).toBe(2n); // 2.5 pico -> 2 (even)
    expect(parseUsd("0.00000000000251")).toBe(3n); // past the tie -> up
    expect(parseUsd("0.0000000000024999")).toBe(2n);
    expect(parseUsd(2.5e-12)).toBe(2n);
    expect(parseUsd(3.5e-12)).toBe(4n);
    expect(parseUsd("-0.0000000000025")).toBe(-2n);
    expect(parseUsd("-0.0000000000035")).toBe(-4n);
  });

  it("rejects what is not a finite decimal number", () => {
    for (const bad of ["", ".", "-", "abc", "1e", "1.2.3", " 1", "0x10", "1,5"]) {
      expect(() => parseUsd(bad), bad).toThrow(RangeError);
    }
    expect(() => parseUsd(Number.NaN)).toThrow("not a finite number: NaN");
    expect(() => parseUsd(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => parseUsd("1e999999")).toThrow("exponent out of range: 1e999999");
  });
});

describe("sums", () => {
  it("adds exactly where floats drift", () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(addUsd(parseUsd(0.1), parseUsd(0.2))).toBe(parseUsd("0.3"));
    expect(sumUsd(["0.1", "0.2"])).toBe("0.300000000000");
    expect(sumUsd([])).toBe("0.000000000000");
  });

  it("keeps a sum of many small values exact", () => {
    const tiny = Array.from({ length: 100_000 }, () => "0.000000075"); // 1 token * $0.075/M each
    expect(tiny.reduce((sum, v) => sum + Number(v), 0)).not.toBe(0.0075); // the float sum drifts
    expect(sumUsd(tiny)).toBe("0.007500000000"); // 100,000 * $0.000000075 = $0.0075
    const tenths = Array.from({ length: 10 }, () => 0.1);
    expect(tenths.reduce((a, b) => a + b, 0)).toBe(0.9999999999999999);
    expect(sumUsd(tenths)).toBe("1.000000000000");
  });
});

describe("costOfTokens", () => {
  it("multiplies tokens by a price per million tokens", () => {
    expect(formatUsd(costOfTokens(1200, parseUsd("2.5")))).toBe("0.003000000000"); // 1200 * $2.50/M
    expect(formatUsd(costOfTokens(1, parseUsd("0.075")))).toBe("0.000000075000"); // 1 * $0.075/M
    expect(formatUsd(costOfTokens(0, parseUsd("10")))).toBe("0.000000000000");
    expect(formatUsd(costOfTokens(0.5, parseUsd("2")))).toBe("0.000001000000"); // 0.5 * $2/M
    expect(formatUsd(costOfTokens(3e6, parseUsd("15")))).toBe("45.000000000000"); // 3M * $15/M
  });

  it("applies a ratio before its single half-to-even rounding", () => {
    const half = { numerator: 1n, denominator: 2n };
    expect(costOfTokens(1, parseUsd("0.075"), half)).toBe(37_500n); // 1 * $0.0375/M, exact
    expect(costOfTokens(1, parseUsd("0.000001"), half)).toBe(0n); // 0.5 pico -> 0 (even)
    expect(costOfTokens(3, parseUsd("0.000001"), half)).toBe(2n); // 1.5 pico -> 2 (even)
    expect(costOfTokens(5, parseUsd("0.000001"), half)).toBe(2n); // 2.5 pico -> 2 (even)
  });

  it("rejects negative and non-finite token counts", () => {
    expect(() => costOfTokens(-1, 1n)).toThrow("token count must be a finite non-negative number, got -1");
    expect(() => costOfTokens(Number.NaN, 1n)).toThrow(RangeError);
  });
});

describe("divideHalfEven", () => {
  it("rounds to nearest, ties to even, symmetric around zero", () => {
    expect([5n, 7n, 9n, -5n, -7n].map((n) => divideHalfEven(n, 2n))).toEqual([2n, 4n, 4n, -2n, -4n]);
    expect([7n, 8n, -7n, -8n].map((n) => divideHalfEven(n, 3n))).toEqual([2n, 3n, -2n, -3n]);
    expect(divideHalfEven(6n, -4n)).toBe(-2n); // -1.5 -> -2 (even)
    expect(() => divideHalfEven(1n, 0n)).toThrow("division by zero");
  });
});

describe("amountsApart", () => {
  const cents = (pico: bigint) => `$${(Number(pico) / 1e12).toFixed(2)}`;
  const apart = (a: string, b: string) => amountsApart(parseUsd(a), parseUsd(b), cents);

  it("writes two amounts as given, unless two different amounts would read the same", () => {
    expect([
      apart("10.5", "10"),
      apart("10", "10"),
      apart("10.004", "10"),
      apart("9.996", "10"),
      apart("10.0000000001", "10"),
      apart("0.000499", "0.00049"),
    ]).toEqual([
      ["$10.50", "$10.00"],
      ["$10.00", "$10.00"],
      // Cut off, not rounded: neither reads as more than it is.
      ["$10.004", "$10.000"],
      ["$9.99", "$10.00"],
      ["$10.0000000001", "$10.0000000000"],
      ["$0.000499", "$0.000490"],
    ]);
  });
});
