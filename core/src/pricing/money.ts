/**
 * Exact US-dollar amounts. Costs are sums of many tiny products (a few tokens times a
 * price per million), and binary floats drift on exactly that kind of sum, so money is a
 * bigint count of pico-dollars (12 decimal places) and never passes through a float.
 *
 * Rounding: whenever a value needs more than 12 decimals (a long decimal string, or a
 * product such as 1 token * $0.075/M = $0.000000075), it is rounded once, half-to-even
 * (banker's rounding), so rounding errors do not lean one way when many calls are summed.
 */

/** A dollar amount in pico-dollars: 1n is $0.000000000001. */
export type Usd = bigint;

/** Decimal places kept for dollar amounts. */
export const USD_DECIMALS = 12;

const PICO_PER_USD = 10n ** BigInt(USD_DECIMALS);
const TOKENS_PER_MILLION = 1_000_000n;
/** Longer exponents would build enormous bigints; no real price needs them. */
const MAX_EXPONENT = 400;
const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A multiplier kept as a fraction so that, say, a 50% batch discount adds no rounding of its own. */
export interface Ratio {
  numerator: bigint;
  denominator: bigint;
}

/** The ratio 1/1: a price applied as published. */
export const WHOLE: Ratio = Object.freeze({ numerator: 1n, denominator: 1n });

/** An exact decimal: `digits / 10^scale` (scale may be negative). */
interface Decimal {
  digits: bigint;
  scale: number;
}

/**
 * Parses a decimal string (`"0.0047"`, `"1e-7"`, `"-2.5E+3"`) or a JS number into pico-dollars.
 * A number is read through its shortest decimal form (`String(n)`), so `0.1` is exactly ten
 * cents rather than the binary float nearest to it. Digits beyond 12 decimals round half-to-even.
 * @throws RangeError for text that is not a decimal number, and for NaN or infinite numbers.
 * @example parseUsd("0.0047") === 4_700_000_000n; parseUsd(1e-7) === 100_000n
 */
export function parseUsd(value: string | number): Usd {
  const { digits, scale } = parseDecimal(value);
  return scaleTo(digits, scale, USD_DECIMALS);
}

/**
 * Formats pico-dollars as a decimal string with exactly 12 decimals.
 * @example formatUsd(4_720_000_000n) === "0.004720000000"
 */
export function formatUsd(value: Usd): string {
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  const whole = abs / PICO_PER_USD;
  const fraction = (abs % PICO_PER_USD).toString().padStart(USD_DECIMALS, "0");
  return `${sign}${whole}.${fraction}`;
}

/**
 * Adds dollar amounts exactly.
 * @example addUsd(parseUsd("0.1"), parseUsd("0.2")) === parseUsd("0.3")
 */
export function addUsd(...values: Usd[]): Usd {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

/**
 * Sums decimal dollar strings (such as `CallCost.total`) and returns the exact sum with 12 decimals.
 * This is what a caller adding up many calls' costs should use instead of `Number` addition.
 * @example sumUsd(["0.1", "0.2"]) === "0.300000000000"
 */
export function sumUsd(values: Iterable<string | number>): string {
  let total = 0n;
  for (const value of values) total += parseUsd(value);
  return formatUsd(total);
}

/**
 * The cost of `tokens` at `perMillion` dollars per million tokens, times `ratio`, rounded
 * once to pico-dollars, half-to-even. Tokens are read exactly like prices (a fractional count
 * is allowed, a negative or non-finite one is a RangeError).
 * @example costOfTokens(1200, parseUsd("2.5")) === parseUsd("0.003") // 1200 * $2.50/M
 */
export function costOfTokens(tokens: number, perMillion: Usd, ratio: Ratio = WHOLE): Usd {
  if (!Number.isFinite(tokens) || tokens < 0) {
    throw new RangeError(`token count must be a finite non-negative number, got ${tokens}`);
  }
  // Token counts are whole numbers almost always; they skip the decimal parse (a regex and a
  // string per part of every priced call, on the collector's per-span path and around every LLM call).
  const count = Number.isSafeInteger(tokens) ? { digits: BigInt(tokens), scale: 0 } : parseDecimal(tokens);
  let numerator = count.digits * perMillion * ratio.numerator;
  let denominator = TOKENS_PER_MILLION * ratio.denominator;
  if (count.scale > 0) denominator *= 10n ** BigInt(count.scale);
  else numerator *= 10n ** BigInt(-count.scale);
  return divideHalfEven(numerator, denominator);
}

/**
 * Divides and rounds to the nearest integer, ties to the even neighbour.
 * @example divideHalfEven(5n, 2n) === 2n; divideHalfEven(7n, 2n) === 4n
 */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError("division by zero");
  if (denominator < 0n) return divideHalfEven(-numerator, -denominator);
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  const twiceRemainder = (remainder < 0n ? -remainder : remainder) * 2n;
  const awayFromZero = numerator < 0n ? quotient - 1n : quotient + 1n;
  if (twiceRemainder > denominator) return awayFromZero;
  if (twiceRemainder < denominator) return quotient;
  return quotient % 2n === 0n ? quotient : awayFromZero;
}

function parseDecimal(value: string | number): Decimal {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new RangeError(`not a finite number: ${value}`);
  }
  // String(n) is the shortest decimal that round-trips to n, e.g. "0.1" or "1e-7".
  const text = typeof value === "number" ? String(value) : value;
  const match = DECIMAL.exec(text);
  const [, sign = "", whole = "", fraction = "", exponentText = "0"] = match ?? [];
  if (!match || whole.length + fraction.length === 0) {
    throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
  }
  const exponent = Number(exponentText);
  if (Math.abs(exponent) > MAX_EXPONENT) throw new RangeError(`exponent out of range: ${text}`);
  const magnitude = BigInt(whole + fraction);
  return { digits: sign === "-" ? -magnitude : magnitude, scale: fraction.length - exponent };
}

/** Re-expresses `digits / 10^scale` with `target` decimals, rounding half-to-even if it must. */
function scaleTo(digits: bigint, scale: number, target: number): bigint {
  if (scale <= target) return digits * 10n ** BigInt(target - scale);
  return divideHalfEven(digits, 10n ** BigInt(scale - target));
}

/**
 * Two dollar amounts for one sentence, such as a cost and the cap it passed, each written by
 * `write`, unless that makes two different amounts read the same ("$10.00, above the $10.00
 * cap" for $10.004): then both with as many decimals as it takes to tell them apart, cut off
 * rather than rounded, so neither reads as more than it is.
 * @example amountsApart(10_004_000_000_000n, 10_000_000_000_000n, cents) // ["$10.004", "$10.000"]
 */
export function amountsApart(a: Usd, b: Usd, write: (amount: Usd) => string): [string, string] {
  const written: [string, string] = [write(a), write(b)];
  if (written[0] !== written[1] || a === b) return written;
  const [exactA, exactB] = [formatUsd(a), formatUsd(b)];
  // From as many decimals as `write` gave; twelve are exact, so the two differ by then.
  const point = written[0].indexOf(".");
  for (let decimals = point < 0 ? 0 : written[0].length - point - 1; ; decimals++) {
    const cutA = cutTo(exactA, decimals);
    const cutB = cutTo(exactB, decimals);
    if (cutA !== cutB) return [`$${cutA}`, `$${cutB}`];
  }
}

/** `formatUsd` text cut to `decimals` decimals. */
function cutTo(exact: string, decimals: number): string {
  return exact.slice(0, exact.indexOf(".") + 1 + decimals);
}
