import type { Route } from "../http/route.js";
import { deleteBudgetRoute } from "./budget-delete.js";
import { putBudget } from "./budget-put.js";
import { listBudgetsRoute } from "./budgets-list.js";
import { costsRoute } from "./costs.js";
import { costsTimeseriesRoute } from "./costs-timeseries.js";
import { healthz } from "./healthz.js";
import { getIncident } from "./incident-get.js";
import { listIncidents } from "./incidents-list.js";
import { insightsRoute } from "./insights.js";
import { openApiRoute } from "./openapi.js";
import { getPrice } from "./prices-get.js";
import { quotePrice } from "./prices-quote.js";
import { getSession } from "./session-get.js";
import { getTrace } from "./trace-get.js";
import { searchTracesRoute } from "./traces-search.js";
import { whatifRoute } from "./whatif.js";

/** Every route of the API; the app mounts these and the OpenAPI document describes these. */
export const ROUTES: readonly Route[] = [
  healthz,
  openApiRoute,
  searchTracesRoute,
  getTrace,
  costsRoute,
  costsTimeseriesRoute,
  getSession,
  listIncidents,
  getIncident,
  listBudgetsRoute,
  putBudget,
  deleteBudgetRoute,
  getPrice,
  quotePrice,
  insightsRoute,
  whatifRoute,
] as Route[];
