import { defineRoute } from "../http/route.js";
import { listBudgets } from "../queries/budgets.js";
import { budgetListResponse } from "../schemas/budget.js";

/** GET /v1/budgets — the project's spending limits. */
export const listBudgetsRoute = defineRoute({
  method: "get",
  path: "/v1/budgets",
  tag: "budgets",
  summary: "List budgets",
  description:
    "The project's budgets, by id. The collector reads the same table and applies changes within seconds.",
  role: "read",
  response: budgetListResponse,
  errors: [503],
  async handle({ project, context }) {
    return { budgets: await listBudgets(context.db, project) };
  },
});
