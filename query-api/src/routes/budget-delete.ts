import { z } from "zod";
import { HttpError } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import { deleteBudget, listBudgets } from "../queries/budgets.js";
import { budgetParams } from "../schemas/budget.js";

/** DELETE /v1/budgets/:id — remove a budget (admin). */
export const deleteBudgetRoute = defineRoute({
  method: "delete",
  path: "/v1/budgets/:id",
  tag: "budgets",
  summary: "Delete a budget",
  description: "Removes the budget; the collector stops enforcing it on its next read. Needs an admin key.",
  role: "admin",
  params: budgetParams,
  status: 204,
  response: z.void().describe("no content"),
  errors: [404, 503],
  async handle({ params, project, context }) {
    const [existing] = await listBudgets(context.db, project, params.id);
    if (!existing) throw new HttpError(404, `no budget ${params.id} in this project`);
    await deleteBudget(context.db, project, existing, context.now());
  },
});
