import { z } from "zod";
import { instant } from "./money.js";
import { pageSize } from "./search.js";
import { checkRange, rangeShape } from "./time-range.js";

/** One detection (loop or budget) as the collector recorded it in `incidents`. */
export const incident = z.object({
  id: z.string().describe("the decision id"),
  createdAt: instant,
  expiresAt: instant,
  detector: z.string(),
  action: z
    .string()
    .describe(
      "warn, block_tool, kill or release (a release lifts a budget kill after the budget was raised or deleted)",
    ),
  scope: z.record(z.string(), z.string()).describe("what the decision applies to: trace_id, user, feature…"),
  reason: z.string(),
  evidence: z.unknown().describe("the detector's evidence, as it recorded it (JSON)"),
  traceId: z.string(),
  sessionId: z.string(),
});
export type Incident = z.infer<typeof incident>;

/** GET /v1/incidents query. */
export const incidentListQuery = z
  .strictObject({
    ...rangeShape,
    detector: z.string().max(128).optional().describe("only this detector's incidents"),
    action: z.string().max(32).optional().describe("only this action: warn, block_tool, kill or release"),
    traceId: z.string().max(128).optional(),
    sessionId: z.string().max(512).optional(),
    limit: pageSize,
    cursor: z.string().max(512).optional().describe("`nextCursor` of the previous page"),
  })
  .superRefine(checkRange);

/** GET /v1/incidents response. */
export const incidentListResponse = z.object({
  range: z.object({ from: instant, to: instant }),
  incidents: z.array(incident),
  nextCursor: z.string().nullable(),
});

export const incidentParams = z.strictObject({ id: z.string().min(1).max(256) });
