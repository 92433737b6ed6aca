import {
  ATTR_BURNRATE_FEATURE,
  ATTR_BURNRATE_SESSION,
  ATTR_BURNRATE_TASK_TYPE,
  ATTR_BURNRATE_TENANT,
  ATTR_BURNRATE_USER,
  ATTR_GEN_AI_AGENT_NAME,
} from "@burnrate/core";
import { type Baggage, type Context, context, propagation } from "@opentelemetry/api";
import { z } from "zod";

/** Who and what a call is for. Every field is optional; empty strings are ignored. */
export interface Attribution {
  feature?: string;
  user?: string;
  tenant?: string;
  agent?: string;
  session?: string;
  taskType?: string;
}

/** One value as given: a string, or a number such as a numeric user id, kept as its decimal text. */
const valueSchema = z
  .union([z.string(), z.number(), z.bigint()])
  .transform((value) => String(value))
  .nullish();

/** Attribution as an app writes it. A misspelt field is an error rather than a baggage entry nobody reads. */
const attributionSchema = z
  .object({
    feature: valueSchema,
    user: valueSchema,
    tenant: valueSchema,
    agent: valueSchema,
    session: valueSchema,
    taskType: valueSchema,
  })
  .strict();

/** What `withAttribution` and `setAttribution` accept; `null` or `undefined` leaves a field unset. */
export type AttributionInput = z.input<typeof attributionSchema>;

/** Each attribution field's span attribute, which is also its W3C baggage key. */
export const ATTRIBUTION_KEYS: Record<keyof Attribution, string> = {
  feature: ATTR_BURNRATE_FEATURE,
  user: ATTR_BURNRATE_USER,
  tenant: ATTR_BURNRATE_TENANT,
  agent: ATTR_GEN_AI_AGENT_NAME,
  session: ATTR_BURNRATE_SESSION,
  taskType: ATTR_BURNRATE_TASK_TYPE,
};

let defaults: Readonly<Attribution> = Object.freeze({});

/**
 * Runs `fn` with attribution set in the OTel context and in baggage. Baggage travels in
 * W3C headers, so a downstream service's spans are attributed the same way.
 * @example await withAttribution({ feature: "support-chat", user: req.user.id }, () => agent.run(task));
 */
export function withAttribution<T>(attribution: AttributionInput, fn: () => T): T {
  return context.with(
    contextWithAttribution(context.active(), parseAttribution(attribution, "withAttribution")),
    fn,
  );
}

/**
 * Sets process-wide attribution that applies wherever no `withAttribution` scope says
 * otherwise, e.g. `setAttribution({ tenant: "acme" })` in a single-tenant worker.
 * Fields set to undefined are cleared.
 */
export function setAttribution(attribution: AttributionInput): void {
  defaults = Object.freeze(clean({ ...defaults, ...parseAttribution(attribution, "setAttribution") }));
}

/**
 * Checks attribution an app passed in. Numbers become their decimal text; a field Burnrate
 * does not know, or a value that is not a string or a number, throws a TypeError naming it.
 */
function parseAttribution(input: AttributionInput, who: string): Attribution {
  const parsed = attributionSchema.safeParse(input);
  if (parsed.success) return parsed.data as Attribution;
  const problems = parsed.error.issues.map((issue) =>
    issue.code === "unrecognized_keys"
      ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`
      : issue.path.length > 0
        ? `${String(issue.path[0])} must be a string or a number, got ${describe((input as Record<PropertyKey, unknown>)[issue.path[0]!])}`
        : `attribution must be an object, got ${describe(input)}`,
  );
  throw new TypeError(
    `${who}: ${problems.join("; ")} (the fields are ${Object.keys(ATTRIBUTION_KEYS).join(", ")})`,
  );
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}

/** The attribution in force: baggage from the active context over process-wide defaults. */
export function currentAttribution(ctx: Context = context.active()): Attribution {
  return { ...attributionOf(ctx) };
}

/**
 * `currentAttribution` for the per-call path: without baggage it returns the defaults object
 * itself (frozen, and replaced rather than changed by `setAttribution`), allocating nothing.
 */
export function attributionOf(ctx: Context): Readonly<Attribution> {
  const baggage = propagation.getBaggage(ctx);
  if (!baggage) return defaults;
  const out: Attribution = { ...defaults };
  for (const [field, key] of Object.entries(ATTRIBUTION_KEYS) as [keyof Attribution, string][]) {
    const value = baggage.getEntry(key)?.value;
    if (value) out[field] = value;
  }
  return out;
}

/** A context whose baggage carries `attribution` on top of what it already had. */
export function contextWithAttribution(ctx: Context, attribution: Attribution): Context {
  let baggage: Baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  for (const [field, value] of Object.entries(clean(attribution)) as [keyof Attribution, string][]) {
    baggage = baggage.setEntry(ATTRIBUTION_KEYS[field], { value });
  }
  return propagation.setBaggage(ctx, baggage);
}

/** Attribution as span attributes. */
export function attributionAttributes(
  attribution: Readonly<Attribution>,
  into: Record<string, string | number | boolean | string[]> = {},
): Record<string, string | number | boolean | string[]> {
  for (const field in attribution) {
    const value = attribution[field as keyof Attribution];
    if (value) into[ATTRIBUTION_KEYS[field as keyof Attribution]] = value;
  }
  return into;
}

function clean(attribution: Attribution): Attribution {
  return Object.fromEntries(Object.entries(attribution).filter(([, v]) => typeof v === "string" && v !== ""));
}
