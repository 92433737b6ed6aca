import { describe, expect, it } from "vitest";
import {
  hammingDistance,
  isLlmStep,
  parseSimHash,
  promptStep,
  toolCallsStep,
  toolStep,
} from "./step-hash.js";

describe("step hashes", () => {
  it("tag LLM steps and tool steps apart, even for the same text", () => {
    expect([
      isLlmStep(promptStep("abc")),
      isLlmStep(toolCallsStep(["abc"])),
      isLlmStep(toolStep("abc")),
    ]).toEqual([true, true, false]);
    expect(promptStep("abc")).not.toBe(toolCallsStep(["abc"]));
  });

  it("treat parallel tool calls as a multiset: order does not matter, repeats do", () => {
    expect(toolCallsStep(["a", "b", "c"])).toBe(toolCallsStep(["c", "a", "b"]));
    expect(toolCallsStep(["a", "a"])).not.toBe(toolCallsStep(["a"]));
    expect(toolCallsStep(["a", "a"])).not.toBe(toolCallsStep(["b", "b"]));
  });

  it("spread 10k distinct fingerprints without a collision", () => {
    // 31 bits: about 0.02 collisions expected among 10k (n²/2³²). Detectors only ever compare a
    // step with the few before it, where a false match has odds of 1 in 2³¹.
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) seen.add(promptStep(`${i.toString(16).padStart(16, "0")}`));
    expect(seen.size).toBe(10_000);
  });
});

describe("SimHash", () => {
  it("parses 1-16 hex digits into two 32-bit halves and rejects anything else", () => {
    expect(parseSimHash("ffffffff00000001")).toEqual([-1, 1]);
    expect(parseSimHash("1")).toEqual([0, 1]);
    expect([
      parseSimHash(""),
      parseSimHash("xyz"),
      parseSimHash("0123456789abcdef0"),
      parseSimHash(undefined),
    ]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("counts differing bits across both halves", () => {
    const [aHigh, aLow] = parseSimHash("f0f0f0f0f0f0f0f0")!;
    const [bHigh, bLow] = parseSimHash("f0f0f0f1f0f0f0f3")!;
    expect(hammingDistance(aHigh, aLow, bHigh, bLow)).toBe(3);
    expect(hammingDistance(0, 0, -1, -1)).toBe(64);
  });
});
