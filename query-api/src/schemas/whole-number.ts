import { z } from "zod";

const MESSAGE = "must be a whole number, in decimal digits";

/** Anything but decimal digits becomes NaN, which the number schema refuses with MESSAGE. */
const digitsOnly = (value: unknown): unknown =>
  typeof value === "string" && !/^[0-9]+$/.test(value) ? Number.NaN : value;

/**
 * A query parameter that is a whole number from `min` to `max`, `fallback` when absent. It is
 * written in decimal digits: `z.coerce.number()` alone would also take `0x2`, ` 3` or `1e1`.
 * @example wholeNumber(1, 50, 5).describe("at most this many")
 */
export function wholeNumber(min: number, max: number, fallback: number) {
  const number = z.coerce.number({ error: (issue) => (issue.code === "invalid_type" ? MESSAGE : undefined) });
  return z.preprocess(digitsOnly, number.int(MESSAGE).min(min).max(max).default(fallback));
}
