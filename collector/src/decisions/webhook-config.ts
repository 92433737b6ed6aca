import { ALL_DECISION_ACTIONS } from "@burnrate/core";
import { Webhook } from "standardwebhooks";
import { z } from "zod";

/** The fast retry schedule: the wait before each attempt, so attempts land at about 0, 1, 3, 7 and 15 s. */
export const DEFAULT_RETRY_DELAYS_MS = [0, 1_000, 2_000, 4_000, 8_000];

/** True when the standardwebhooks library accepts the secret (`whsec_` + non-empty base64). */
function isSigningSecret(secret: string): boolean {
  try {
    new Webhook(secret);
    return true;
  } catch {
    return false;
  }
}

/**
 * One webhook endpoint that receives decisions. Validation messages name the field, so a
 * config error points at the line to fix.
 *
 * @example
 * webhookEndpointSchema.parse({ url: "https://agents.example.com/burnrate", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
 */
export const webhookEndpointSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "url must be an http:// or https:// URL" }),
    /** The Standard Webhooks signing secret shared with the receiver. */
    secret: z
      .string({ error: "secret must be a string" })
      .startsWith("whsec_", "secret must start with whsec_ (a Standard Webhooks secret)")
      .refine(
        isSigningSecret,
        "secret must be whsec_ followed by non-empty base64, as the receiver's library expects",
      ),
    /** Which decisions this endpoint wants; all of them (releases of kills too) unless narrowed. */
    actions: z
      .array(
        z.enum(ALL_DECISION_ACTIONS, { error: `actions may only hold ${ALL_DECISION_ACTIONS.join(", ")}` }),
      )
      .min(1, "actions must name at least one action, or be left out to receive all")
      .default([...ALL_DECISION_ACTIONS]),
    /** Longest one attempt waits for an answer before it counts as a network failure. */
    timeoutMs: z
      .number()
      .int()
      .positive("timeoutMs must be a positive number of milliseconds")
      .default(5_000),
    /** Requests in flight to this endpoint at once; more wait in its queue. */
    maxConcurrency: z.number().int().positive("maxConcurrency must be at least 1").default(4),
    /** The wait before each attempt; its length is the number of attempts before giving up. */
    retryDelaysMs: z
      .array(z.number().int().nonnegative("retryDelaysMs must hold waits of 0 ms or more"))
      .min(1, "retryDelaysMs must allow at least one attempt")
      .default(DEFAULT_RETRY_DELAYS_MS),
    /** No attempt starts later than this after the first, however long Retry-After asks to wait. */
    giveUpAfterMs: z
      .number()
      .int()
      .positive("giveUpAfterMs must be a positive number of milliseconds")
      .default(60_000),
    /**
     * Warnings waiting or retrying for this endpoint; past it new warnings are dropped (and
     * counted failed). Kills, blocks and releases have as many again to themselves.
     */
    maxQueued: z.number().int().positive("maxQueued must be at least 1").default(1_000),
  })
  .strict();

/** The `webhooks:` section of the collector config: a list of endpoints, empty by default. */
export const webhooksConfigSchema = z.array(webhookEndpointSchema).default([]);

export type WebhookEndpointConfig = z.infer<typeof webhookEndpointSchema>;
export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;
