import { z } from "zod";

/** What a decision asks the app to do, mildest first. */
export const DECISION_ACTIONS = ["warn", "block_tool", "kill"] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** The runs a decision applies to; every field given must match. */
export const decisionScopeSchema = z
  .object({
    trace_id: z.string().min(1).optional(),
    session_id: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    feature: z.string().min(1).optional(),
    tenant: z.string().min(1).optional(),
    service: z.string().min(1).optional(),
  })
  .refine((scope) => Object.values(scope).some((v) => v !== undefined), "a scope names at least one field");
export type DecisionScope = z.infer<typeof decisionScopeSchema>;

/**
 * A decision from the collector to the app: warn, block a tool, or kill a scope. It travels
 * as a signed webhook and on the SSE stream; `decision_id` is the idempotency key.
 */
export const decisionSchema = z.object({
  decision_id: z.string().min(1),
  project_id: z.string().min(1),
  action: z.enum(DECISION_ACTIONS),
  scope: decisionScopeSchema,
  /** Which detector decided, e.g. `D1.identical_call`, `budget`. */
  detector: z.string().min(1),
  reason: z.string(),
  /** The numbers behind the decision, including the detector's parameters. */
  evidence: z.record(z.string(), z.unknown()),
  /** ISO 8601 times. */
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
});
export type Decision = z.infer<typeof decisionSchema>;

/** True when a call with these attributes falls inside the decision's scope. */
export function inScope(scope: DecisionScope, call: Partial<Record<keyof DecisionScope, string>>): boolean {
  for (const [key, value] of Object.entries(scope) as [keyof DecisionScope, string | undefined][]) {
    if (value !== undefined && call[key] !== value) return false;
  }
  return true;
}
