import { z } from "zod";

/** What a detector decides, mildest first. */
export const DECISION_ACTIONS = ["warn", "block_tool", "kill"] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/**
 * Every action a decision can carry: a detector's, or `release`, which lifts a kill before it
 * expires (a budget that stopped a user, feature or tenant was raised above their spend, or
 * deleted). A release names the kill in `releases`; it lasts as long as that kill would have.
 */
export const ALL_DECISION_ACTIONS = [...DECISION_ACTIONS, "release"] as const;
export type AnyDecisionAction = (typeof ALL_DECISION_ACTIONS)[number];

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
 * A decision from the collector to the app: warn, block a tool, kill a scope, or release an
 * earlier kill. It travels as a signed webhook and on the SSE stream; `decision_id` is the
 * idempotency key.
 */
export const decisionSchema = z.object({
  decision_id: z.string().min(1),
  project_id: z.string().min(1),
  action: z.enum(ALL_DECISION_ACTIONS),
  /** A release only: the `decision_id` of the kill it lifts. */
  releases: z.string().min(1).optional(),
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
