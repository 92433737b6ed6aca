import { z } from "zod";
import { filterQueryShape } from "./filters.js";
import { instant, tokens, usd } from "./money.js";
import { checkRange, rangeShape } from "./time-range.js";
import { wholeNumber } from "./whole-number.js";

/** The largest page any list endpoint returns. */
export const MAX_PAGE_SIZE = 500;

/** A page size: 1 to 500, 50 unless given. */
export const pageSize = wholeNumber(1, MAX_PAGE_SIZE, 50).describe(
  `how many items per page, at most ${MAX_PAGE_SIZE}`,
);

/** GET /v1/traces query. */
export const traceSearchQuery = z
  .strictObject({
    ...rangeShape,
    ...filterQueryShape,
    sort: z
      .enum(["time", "cost"])
      .default("time")
      .describe("by the trace's first call, or by its priced cost"),
    order: z.enum(["desc", "asc"]).default("desc"),
    limit: pageSize,
    cursor: z
      .string()
      .max(2048)
      .optional()
      .describe("`nextCursor` of the previous page; it keeps that page's range, sort and filters"),
  })
  .superRefine(checkRange);
export type TraceSearchQuery = z.infer<typeof traceSearchQuery>;

/** One trace in a search result. */
export const traceSummary = z.object({
  traceId: z.string(),
  startTime: instant.describe("when the trace's first LLM call started"),
  endTime: instant.describe("when its last LLM call ended"),
  services: z.array(z.string()),
  features: z.array(z.string()),
  users: z.array(z.string()),
  tenants: z.array(z.string()),
  agents: z.array(z.string()),
  models: z.array(z.string()),
  sessions: z.array(z.string()),
  calls: z.number().int().nonnegative(),
  pricedCalls: z.number().int().nonnegative(),
  unpricedCalls: z.number().int().nonnegative(),
  errorCalls: z.number().int().nonnegative(),
  pricedCostUsd: usd,
  tokens,
  incidents: z.number().int().nonnegative(),
});
export type TraceSummary = z.infer<typeof traceSummary>;

/** GET /v1/traces response. */
export const traceSearchResponse = z.object({
  range: z.object({ from: instant, to: instant }),
  sort: z.enum(["time", "cost"]),
  order: z.enum(["desc", "asc"]),
  traces: z.array(traceSummary),
  nextCursor: z.string().nullable().describe("pass as `cursor` for the next page; null on the last page"),
});
