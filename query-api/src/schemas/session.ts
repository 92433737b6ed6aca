import { z } from "zod";
import { incident } from "./incident.js";
import { callTotals, instant, usd } from "./money.js";
import { attribution, costBreakdown, modelTotals } from "./trace.js";

export const sessionParams = z.strictObject({
  id: z.string().min(1).max(512).describe("the session id (`gen_ai.conversation.id` or `burnrate.session`)"),
});

/** GET /v1/sessions/:id */
export const sessionResponse = z.object({
  sessionId: z.string(),
  startTime: instant,
  endTime: instant,
  totals: callTotals.extend({ estimatedCalls: z.number().int().nonnegative(), costBreakdown }),
  models: z.array(modelTotals),
  attribution,
  traces: z.array(
    z.object({
      traceId: z.string(),
      startTime: instant,
      endTime: instant,
      calls: z.number().int().nonnegative(),
      unpricedCalls: z.number().int().nonnegative(),
      pricedCostUsd: usd,
    }),
  ),
  incidents: z.array(incident),
});
