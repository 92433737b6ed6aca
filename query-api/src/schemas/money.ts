import { z } from "zod";

/** Dollars as an exact decimal string with 12 places, the way ClickHouse and core format them. */
export const usd = z
  .string()
  .regex(/^-?\d+\.\d{12}$/)
  .describe("US dollars as an exact decimal string with 12 places; never a float");

/** A dollar amount a client sends: a non-negative decimal string with at most 12 places. */
export const usdInput = z
  .string()
  .regex(
    /^\d{1,20}(\.\d{1,12})?$/,
    'must be a decimal string of dollars such as "2.50" (at most 12 decimals)',
  )
  .describe('US dollars as a decimal string, e.g. "2.50"');

/** Token counts by kind. `input` includes the cache parts; `output` includes reasoning. */
export const tokens = z.object({
  input: z.number().int().nonnegative(),
  output: z.number().int().nonnegative(),
  cacheRead: z.number().int().nonnegative(),
  cacheWrite: z.number().int().nonnegative(),
  reasoning: z.number().int().nonnegative(),
});
export type Tokens = z.infer<typeof tokens>;

/**
 * Totals over a set of calls. Only priced calls have a cost: `pricedCostUsd` sums them, and
 * `unpricedCalls` says how many calls no price book knew, which are never counted as $0.
 */
export const callTotals = z.object({
  calls: z.number().int().nonnegative(),
  pricedCalls: z.number().int().nonnegative(),
  unpricedCalls: z.number().int().nonnegative(),
  errorCalls: z.number().int().nonnegative(),
  pricedCostUsd: usd,
  tokens,
});
export type CallTotals = z.infer<typeof callTotals>;

/** An instant in UTC, ISO 8601 with up to nanosecond digits. */
export const instant = z.string().describe("ISO 8601 date-time in UTC");
