import { z } from "zod";
import { filterBodyShape } from "./filters.js";
import { instant, usd } from "./money.js";
import { checkRange, rangeShape } from "./time-range.js";

/** POST /v1/whatif body. */
export const whatifInput = z
  .strictObject({
    ...rangeShape,
    ...filterBodyShape,
    target: z
      .strictObject({
        model: z
          .string()
          .min(1)
          .max(256)
          .optional()
          .describe("reprice every call on this model (default: each call's own)"),
        provider: z
          .string()
          .max(128)
          .optional()
          .describe("the target model's provider (default: each call's own)"),
        serviceTier: z
          .string()
          .max(32)
          .optional()
          .describe("reprice on this service tier, e.g. batch (default: each call's own)"),
      })
      .refine(
        (t) => t.model !== undefined || t.serviceTier !== undefined,
        "name a model, a serviceTier, or both",
      ),
  })
  .superRefine(checkRange);

const target = z.object({ provider: z.string(), model: z.string(), serviceTier: z.string() });

/** One (provider, model, tier) of the slice and what it would cost under its target. */
export const whatifGroup = z.object({
  provider: z.string(),
  model: z.string(),
  serviceTier: z.string(),
  target,
  targetPriced: z.boolean(),
  calls: z.number().int().nonnegative(),
  unpricedCalls: z.number().int().nonnegative(),
  pricedCostUsd: usd.describe("what its priced calls cost as stored"),
  counterfactualCostUsd: usd
    .nullable()
    .describe("what all its calls would cost under the target; null if the target has no price"),
});

/** POST /v1/whatif response. */
export const whatifResponse = z.object({
  range: z.object({ from: instant, to: instant }),
  pricesAt: instant.describe("the counterfactual uses prices in force at this instant"),
  slice: z.object({
    calls: z.number().int().nonnegative(),
    pricedCalls: z.number().int().nonnegative(),
    unpricedCalls: z.number().int().nonnegative(),
    pricedCostUsd: usd,
  }),
  counterfactual: z.object({
    costUsd: usd.describe("every call the target could price, previously unpriced ones included"),
    pricedCalls: z.number().int().nonnegative(),
    unpricedCalls: z.number().int().nonnegative().describe("calls whose target has no price"),
  }),
  comparison: z
    .object({
      calls: z.number().int().nonnegative(),
      currentUsd: usd,
      counterfactualUsd: usd,
      deltaUsd: usd.describe("counterfactual minus current; negative is a saving"),
    })
    .describe("over the calls priced both as stored and under the target"),
  groups: z.array(whatifGroup),
});
