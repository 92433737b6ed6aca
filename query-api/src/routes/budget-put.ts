import { defineRoute } from "../http/route.js";
import { listBudgets, writeBudget } from "../queries/budgets.js";
import { budget, budgetInput, budgetParams } from "../schemas/budget.js";

/** PUT /v1/budgets/:id — create or replace a budget (admin). */
export const putBudget = defineRoute({
  method: "put",
  path: "/v1/budgets/:id",
  tag: "budgets",
  summary: "Create or replace a budget",
  description:
    "Upserts the budget with this id. User, feature and tenant budgets are per day or month (UTC); trace " +
    "and session budgets are per run. Alerts fire at each `alertAt` fraction; 1 is a hard stop. Needs an admin key.",
  role: "admin",
  params: budgetParams,
  body: budgetInput,
  response: budget,
  errors: [503],
  async handle({ params, body, project, context }) {
    await writeBudget(context.db, project, params.id, body, context.now());
    const [stored] = await listBudgets(context.db, project, params.id);
    return stored!;
  },
});
