import { describe, expect, it } from "vitest";
import { type ReportedUsage, toTokenUsage } from "./usage.js";

const INCLUSIVE: ReportedUsage = {
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  reasoning: 0,
  inputIncludesCache: true,
  outputIncludesReasoning: true,
};

describe("toTokenUsage", () => {
  it("keeps an inclusive input as reported", () => {
    expect(toTokenUsage({ ...INCLUSIVE, input: 2006, output: 300, cacheRead: 1920 })).toEqual({
      input: 2006,
      output: 300,
      cacheRead: 1920,
      cacheWrite: 0,
      reasoning: 0,
    });
  });

  it("adds reads and writes to an exclusive input (Anthropic's input_tokens)", () => {
    const usage = toTokenUsage({
      ...INCLUSIVE,
      input: 18,
      cacheRead: 2000,
      cacheWrite: 284,
      inputIncludesCache: false,
    });
    expect(usage.input).toBe(2302); // 18 + 2000 + 284
  });

  it("treats an 'inclusive' input smaller than its cached part as exclusive", () => {
    expect(toTokenUsage({ ...INCLUSIVE, input: 4, cacheRead: 1163 }).input).toBe(1167);
  });

  it("treats input as exclusive when the reported total adds the cache on top of it", () => {
    const usage = toTokenUsage({ ...INCLUSIVE, input: 5000, output: 100, cacheWrite: 1000, total: 6100 });
    expect(usage.input).toBe(6000);
  });

  it("leaves an inclusive input alone when the total is input + output", () => {
    const usage = toTokenUsage({ ...INCLUSIVE, input: 5000, output: 100, cacheWrite: 1000, total: 5100 });
    expect(usage.input).toBe(5000);
  });

  it("holds sums past the largest storable count (2^32 - 1) at that count", () => {
    const max = 4_294_967_295;
    expect(
      toTokenUsage({
        ...INCLUSIVE,
        input: max,
        output: max,
        cacheRead: max,
        cacheWrite: 1,
        reasoning: 1,
        inputIncludesCache: false,
        outputIncludesReasoning: false,
      }),
    ).toEqual({ input: max, output: max, cacheRead: max, cacheWrite: 1, reasoning: 1 });
  });

  it("adds reasoning to an output known or shown to exclude it", () => {
    expect(
      toTokenUsage({ ...INCLUSIVE, output: 300, reasoning: 500, outputIncludesReasoning: false }).output,
    ).toBe(800);
    expect(toTokenUsage({ ...INCLUSIVE, input: 1200, output: 300, reasoning: 500, total: 2000 }).output).toBe(
      800,
    );
    expect(toTokenUsage({ ...INCLUSIVE, output: 900, reasoning: 640, total: 900 }).output).toBe(900);
  });
});
