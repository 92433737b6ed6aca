/**
 * The last checks before a value meets its column: the receiver accepts what OTLP allows, and
 * a value a ClickHouse column type cannot hold would make ClickHouse refuse its whole insert.
 * Each check is a cheap test that passes ordinary values through untouched; only an odd value
 * takes the slower path. (Timestamps are brought into range by `nanosToDateTime64`.)
 */

/** A lone surrogate as JSON.stringify escapes it, after an even run of backslashes (so not `\\ud800` text). */
const LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * JSON text with every lone surrogate replaced by U+FFFD, as `String.prototype.toWellFormed`
 * would have done to the strings it came from. ClickHouse refuses the escape of a lone
 * surrogate (JS SDKs make them when they cut a string in half); JSON.stringify escapes
 * nothing else in that range, since it writes a valid pair as it is, so one search for
 * `\ud` over the whole text finds every one, in keys and values alike.
 * @example wellFormedJson(JSON.stringify({ "k\ud800": "v\udc00" })) === '{"k\\ufffd":"v\\ufffd"}'
 */
export function wellFormedJson(text: string): string {
  return text.includes("\\ud") ? text.replace(LONE_SURROGATE, "$1\\ufffd") : text;
}

const MOST_UINT32 = 4_294_967_295;

/**
 * A count as a UInt32 column holds it: a whole number from 0 to 2^32 - 1. ClickHouse refuses
 * a fraction or an exponent (`1e+300`, as JSON.stringify writes 1e300), and silently wraps a
 * count past 2^32, so those are rounded and clamped here.
 * @example uint32(1e300) === 4_294_967_295
 */
export function uint32(value: number): number {
  if (Number.isInteger(value) && value >= 0 && value <= MOST_UINT32) return value;
  if (!(value > 0)) return 0; // NaN or negative
  return value >= MOST_UINT32 ? MOST_UINT32 : Math.round(value);
}

/**
 * The largest amount of money stored, just under $10^15. Decimal(38, 12) holds up to $10^26,
 * but the cost rollup's sums wrap around silently past that, so a ceiling far below it keeps
 * even a day of such calls summing right. No real call costs this much.
 */
export const MOST_USD = "999999999999999.999999999999";
const PLAIN_IN_RANGE = /^-?\d{1,15}(?:\.\d*)?$/;

/**
 * A dollar amount as a Decimal(38, 12) column takes it: a plain decimal below `MOST_USD`.
 * Costs reach here as plain decimals; one with too many digits (a provider reporting 1e60) is
 * clamped to `MOST_USD`. A text that is no number at all is left for ClickHouse to refuse, so
 * its row is set aside rather than stored with a made-up cost.
 * @example usd("1" + "0".repeat(60)) === MOST_USD
 */
export function usd(value: string): string {
  if (PLAIN_IN_RANGE.test(value)) return value;
  const amount = Number(value);
  if (Number.isNaN(amount)) return value;
  if (Math.abs(amount) < 1e15) return amount.toFixed(12);
  return amount > 0 ? MOST_USD : `-${MOST_USD}`;
}
