import { type CallCost, type TokenUsage, UNPRICED } from "../../llm-call.js";
import type { PricedCall } from "../price-book.js";

/** 2025-10-01T00:00:00Z: after o3's 2025-06-10 price cut, so the fixtures have one fixed price each. */
export const OCTOBER_2025 = "2025-10-01T00:00:00Z";

/** Unix nanoseconds of an ISO time, as spans carry it. */
export function unixNano(iso: string): bigint {
  return BigInt(Date.parse(iso)) * 1_000_000n;
}

/** A call to price; the normaliser leaves `cost` as UNPRICED until pricing runs. */
export function pricedCall(
  fields: Partial<Omit<PricedCall, "tokens" | "startTimeUnixNano">> & {
    tokens?: Partial<TokenUsage>;
    at?: string;
    cost?: CallCost;
  },
): PricedCall {
  const { tokens, at = OCTOBER_2025, ...rest } = fields;
  return {
    provider: "",
    requestModel: "",
    responseModel: "",
    serviceTier: "",
    cost: UNPRICED,
    ...rest,
    tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, ...tokens },
    startTimeUnixNano: unixNano(at),
  };
}
