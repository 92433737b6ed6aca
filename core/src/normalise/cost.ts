/**
 * Provider-reported cost. A cost the span already carries wins over one Burnrate would compute
 * (the provider knows its own discounts); without one the call is `UNPRICED` and the pricing
 * stage fills it in.
 */
import { type CallCost, UNPRICED } from "../llm-call.js";
import {
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  ATTR_GEN_AI_USAGE_COST_CURRENCY,
  ATTR_GEN_AI_USAGE_COST_SOURCE,
  ATTR_LLM_COST_COMPLETION,
  ATTR_LLM_COST_PROMPT,
  ATTR_LLM_COST_TOTAL,
} from "../semconv.js";
import type { Attributes, AttributeValue } from "../span.js";
import { readString } from "./attributes.js";

const PROVIDER = "provider";
const USD = "usd";

/**
 * The cost the span reports, or `UNPRICED`. `gen_ai.usage.cost.amount` counts only when its
 * currency is USD (or unstated) and its source is the provider (or unstated): a cost another
 * tool computed is recomputed with Burnrate's price book instead, so one book prices every call.
 * OpenInference's `llm.cost.total` is taken with its prompt and completion parts. An amount
 * that is not a number, is negative, or is a billion dollars or more is ignored (see
 * `MOST_WHOLE_DIGITS`): the call is then priced from its tokens, as if none were reported.
 * @example providerCost({ [ATTR_LLM_COST_TOTAL]: 0.0066 }).total === "0.0066"
 */
export function providerCost(attributes: Attributes): CallCost {
  const amount = costAmount(attributes[ATTR_GEN_AI_USAGE_COST_AMOUNT]);
  const currency = readString(attributes, ATTR_GEN_AI_USAGE_COST_CURRENCY).toLowerCase();
  const source = readString(attributes, ATTR_GEN_AI_USAGE_COST_SOURCE).toLowerCase();
  if (
    amount !== undefined &&
    (currency === "" || currency === USD) &&
    (source === "" || source === PROVIDER)
  ) {
    return reported(amount, "0", "0");
  }
  const total = costAmount(attributes[ATTR_LLM_COST_TOTAL]);
  if (total !== undefined) {
    const input = costAmount(attributes[ATTR_LLM_COST_PROMPT]) ?? "0";
    const output = costAmount(attributes[ATTR_LLM_COST_COMPLETION]) ?? "0";
    return reported(total, input, output);
  }
  // A copy, because UNPRICED is frozen and the pricing stage replaces the cost it holds.
  return { ...UNPRICED };
}

/**
 * Digits a reported cost may have before its decimal point: under $1,000,000,000 a call. The
 * cost columns (Decimal(38, 12)) cannot hold 10^26 or more, and a write that fails on one
 * value fails its whole batch; far below that, no single LLM call has cost a billion dollars
 * (four billion tokens, the most a call can record, at the dearest price is a few million), so
 * a larger amount is a broken exporter. It is ignored and the call priced from its tokens.
 */
const MOST_WHOLE_DIGITS = 9;

/** A reported cost as a decimal string, or `undefined` when it is not a number, negative or absurd. */
function costAmount(value: AttributeValue | undefined): string | undefined {
  const amount = decimalString(value);
  if (amount === undefined) return undefined;
  const point = amount.indexOf(".");
  return (point < 0 ? amount.length : point) > MOST_WHOLE_DIGITS ? undefined : amount;
}

function reported(total: string, input: string, output: string): CallCost {
  return { input, output, cacheRead: "0", cacheWrite: "0", total, source: PROVIDER, priceVersion: PROVIDER };
}

/** The largest decimal exponent a cost may carry: far past any dollar amount, in either direction. */
const MOST_EXPONENT = 64;

/**
 * A non-negative amount as a plain decimal string, exactly as written (no float rounding, no
 * exponent), or `undefined` when the value is not a number.
 * @example decimalString(1.5e-7) === "0.00000015"
 * @example decimalString("0.0120") === "0.012"
 */
export function decimalString(value: AttributeValue | undefined): string | undefined {
  if (typeof value === "number" && !Number.isFinite(value)) return undefined;
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  const match = /^\+?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return undefined;
  const [, whole = "", fraction = "", exponent = "0"] = match;
  if (whole === "" && fraction === "") return undefined;
  // No real amount needs an exponent this large; a huge one would build a string of that length.
  if (Math.abs(Number(exponent)) > MOST_EXPONENT) return undefined;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  const padded = point <= 0 ? "0".repeat(1 - point) + digits : digits.padEnd(point, "0");
  const split = Math.max(point, 1);
  const integer = padded.slice(0, split).replace(/^0+(?=\d)/, "");
  const decimals = padded.slice(split).replace(/0+$/, "");
  return decimals === "" ? integer : `${integer}.${decimals}`;
}
