import { z } from "zod";
import { instant, usd, usdInput } from "./money.js";

export const BUDGET_SCOPES = ["trace", "session", "user", "feature", "tenant"] as const;
/** Scopes whose budget is per run (no period), the others being per day or per month. */
const RUN_SCOPES: readonly string[] = ["trace", "session"];

export const budgetParams = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, "must be 1-128 letters, digits, '_', '.', ':' or '-'")
    .describe("the budget's id, chosen by the client (PUT is an upsert)"),
});

/** PUT /v1/budgets/:id body. */
export const budgetInput = z
  .strictObject({
    scope: z
      .enum(BUDGET_SCOPES)
      .describe("what one budget counts: a trace, a session, or a user, feature or tenant"),
    match: z
      .string()
      .max(512)
      .default("")
      .describe("the scope value it applies to (`u-42`); empty applies the limit to each value separately"),
    period: z
      .enum(["day", "month"])
      .nullable()
      .default(null)
      .describe(
        "day or month (UTC) for user, feature and tenant budgets; null for trace and session budgets",
      ),
    limitUsd: usdInput.refine((text) => /[1-9]/.test(text), "must be more than $0"),
    alertAt: z
      .array(z.number().gt(0).lte(1))
      .min(1)
      .max(10)
      .default([0.5, 0.8, 1])
      .refine((list) => list.every((v, i) => i === 0 || v > list[i - 1]!), "must be strictly increasing")
      .describe("fractions of the limit that raise an alert; reaching 1 stops the scope"),
  })
  .superRefine((budget, ctx) => {
    const perRun = RUN_SCOPES.includes(budget.scope);
    if (perRun && budget.period !== null) {
      ctx.addIssue({
        code: "custom",
        path: ["period"],
        message: `must be null for a ${budget.scope} budget`,
      });
    }
    if (!perRun && budget.period === null) {
      ctx.addIssue({
        code: "custom",
        path: ["period"],
        message: `must be day or month for a ${budget.scope} budget`,
      });
    }
  });
export type BudgetInput = z.infer<typeof budgetInput>;

/** A stored budget. */
export const budget = z.object({
  id: z.string(),
  scope: z.enum(BUDGET_SCOPES),
  match: z.string(),
  period: z.enum(["day", "month"]).nullable(),
  limitUsd: usd,
  alertAt: z.array(z.number()),
  updatedAt: instant,
});
export type Budget = z.infer<typeof budget>;

/** GET /v1/budgets response. */
export const budgetListResponse = z.object({ budgets: z.array(budget) });
