import { z } from "zod";
import { usdInput } from "./money.js";

const value = (what: string) =>
  z
    .string()
    .max(512)
    .describe(`only calls whose ${what} is exactly this (an empty value matches calls without one)`);

/** Call dimensions every cost query can filter on. */
export const dimensionShape = {
  service: value("service (`service.name`)"),
  feature: value("feature (`burnrate.feature`)"),
  user: value("user (`burnrate.user`)"),
  tenant: value("tenant (`burnrate.tenant`)"),
  agent: value("agent (`gen_ai.agent.name`)"),
  provider: value("provider (`gen_ai.provider.name`)"),
  model: value("model (the response model when reported, else the request model)"),
  operation: value("operation (`gen_ai.operation.name`)"),
};

/** The dimension filters, each optional. */
export const dimensionFilters = z.object(dimensionShape).partial();
export type DimensionFilters = z.infer<typeof dimensionFilters>;

/** The dimension names, in the order the filters are listed. */
export const DIMENSION_NAMES = Object.keys(dimensionShape) as (keyof DimensionFilters)[];

/** Filters on whole traces: a total cost floor, and whether a detector raised an incident on it. */
export interface TraceFilters {
  minCost?: string | undefined;
  hasIncident?: boolean | undefined;
}

const booleanText = z
  .enum(["true", "false"])
  .transform((text) => text === "true")
  .describe("`true` or `false`");

/** Query-string filters shared by search, costs, time series and insights. */
export const filterQueryShape = {
  ...Object.fromEntries(Object.entries(dimensionShape).map(([k, v]) => [k, v.optional()])),
  minCost: usdInput.optional().describe("only traces whose priced cost is at least this many dollars"),
  hasIncident: booleanText.optional().describe("only traces with (`true`) or without (`false`) an incident"),
} as {
  [K in keyof typeof dimensionShape]: z.ZodOptional<(typeof dimensionShape)[K]>;
} & {
  minCost: z.ZodOptional<typeof usdInput>;
  hasIncident: z.ZodOptional<typeof booleanText>;
};

/** The same filters in a JSON body (what-if), where `hasIncident` is a real boolean. */
export const filterBodyShape = {
  ...filterQueryShape,
  hasIncident: z.boolean().optional().describe("only traces with (`true`) or without (`false`) an incident"),
};
