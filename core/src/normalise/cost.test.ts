import { describe, expect, it } from "vitest";
import { UNPRICED } from "../llm-call.js";
import {
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  ATTR_GEN_AI_USAGE_COST_CURRENCY,
  ATTR_GEN_AI_USAGE_COST_SOURCE,
  ATTR_LLM_COST_COMPLETION,
  ATTR_LLM_COST_PROMPT,
  ATTR_LLM_COST_TOTAL,
} from "../semconv.js";
import { decimalString, providerCost } from "./cost.js";

const provider = (total: string) => ({
  input: "0",
  output: "0",
  cacheRead: "0",
  cacheWrite: "0",
  total,
  source: "provider",
  priceVersion: "provider",
});

describe("providerCost", () => {
  it("takes gen_ai.usage.cost.amount as a string or a number", () => {
    expect(providerCost({ [ATTR_GEN_AI_USAGE_COST_AMOUNT]: "0.0047" })).toEqual(provider("0.0047"));
    expect(providerCost({ [ATTR_GEN_AI_USAGE_COST_AMOUNT]: 1.5e-7 })).toEqual(provider("0.00000015"));
  });

  it("accepts USD and a provider source", () => {
    const attributes = {
      [ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.25,
      [ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
      [ATTR_GEN_AI_USAGE_COST_SOURCE]: "provider",
    };
    expect(providerCost(attributes)).toEqual(provider("0.25"));
  });

  it("leaves the call unpriced when the cost is in another currency or was computed elsewhere", () => {
    expect(
      providerCost({ [ATTR_GEN_AI_USAGE_COST_AMOUNT]: 1, [ATTR_GEN_AI_USAGE_COST_CURRENCY]: "EUR" }),
    ).toEqual(UNPRICED);
    expect(
      providerCost({ [ATTR_GEN_AI_USAGE_COST_AMOUNT]: 1, [ATTR_GEN_AI_USAGE_COST_SOURCE]: "computed" }),
    ).toEqual(UNPRICED);
  });

  it("leaves the call unpriced when the amount is not a number", () => {
    expect(providerCost({ [ATTR_GEN_AI_USAGE_COST_AMOUNT]: "free" })).toEqual(UNPRICED);
    expect(providerCost({ [ATTR_GEN_AI_USAGE_COST_AMOUNT]: -1 })).toEqual(UNPRICED);
    expect(providerCost({})).toEqual(UNPRICED);
  });

  it.each([
    ["1e9"],
    [1e9],
    ["1e26"],
    ["123456789012345678901234567890"],
    [Number.MAX_VALUE],
    ["Infinity"],
    ["NaN"],
    [Number.NaN],
    ["-0.5"],
  ])("ignores the absurd amount %j, so the call is priced from its tokens", (amount) => {
    expect(providerCost({ [ATTR_GEN_AI_USAGE_COST_AMOUNT]: amount })).toEqual(UNPRICED);
    expect(providerCost({ [ATTR_LLM_COST_TOTAL]: amount })).toEqual(UNPRICED);
  });

  it("takes an amount up to just under $1,000,000,000", () => {
    expect(providerCost({ [ATTR_GEN_AI_USAGE_COST_AMOUNT]: "999999999.999999999999" })).toEqual(
      provider("999999999.999999999999"),
    );
  });

  it("reads an absurd part of OpenInference's cost as 0, as it does a part that is not a number", () => {
    expect(
      providerCost({
        [ATTR_LLM_COST_TOTAL]: "0.5",
        [ATTR_LLM_COST_PROMPT]: "1e30",
        [ATTR_LLM_COST_COMPLETION]: 0.5,
      }),
    ).toEqual({ ...provider("0.5"), output: "0.5" });
  });

  it("takes OpenInference's llm.cost.total without parts as input and output 0", () => {
    expect(providerCost({ [ATTR_LLM_COST_TOTAL]: "0.12" })).toEqual(provider("0.12"));
  });
});

describe("decimalString", () => {
  it.each([
    [0.0066, "0.0066"],
    [1.5e-7, "0.00000015"],
    [12, "12"],
    [1e21, "1000000000000000000000"],
    ["0.0120", "0.012"],
    ["007.50", "7.5"],
    [".5", "0.5"],
    ["2.5E-3", "0.0025"],
    ["0", "0"],
  ])("writes %j as %j", (value, expected) => {
    expect(decimalString(value)).toBe(expected);
  });

  it.each([["-1"], [-1], ["abc"], [""], ["."], [Number.NaN], [true], ["1e999999999"], ["1e-65"]])(
    "rejects %j",
    (value) => {
      expect(decimalString(value)).toBeUndefined();
    },
  );
});
