import { Counter, type Registry } from "prom-client";

/** How a delivery ended, one label value each. */
export const DELIVERY_RESULTS = ["delivered", "failed", "gave_up", "gone"] as const;
export type DeliveryResult = (typeof DELIVERY_RESULTS)[number];

/** The counters webhook delivery keeps. */
export interface WebhookCounters {
  deliveries: Counter<"result">;
  attempts: Counter<string>;
}

const DELIVERIES = "burnrate_webhook_deliveries_total";
const ATTEMPTS = "burnrate_webhook_attempts_total";

/**
 * Creates the webhook counters on `registry`, or reuses them when a dispatcher registered
 * them there before (a second registration would throw). Without a registry they still
 * count, unexported, so delivery code never branches on metrics.
 */
export function webhookCounters(registry?: Registry): WebhookCounters {
  const registers = registry ? [registry] : [];
  const deliveries =
    (registry?.getSingleMetric(DELIVERIES) as Counter<"result"> | undefined) ??
    new Counter({
      name: DELIVERIES,
      help: "Decisions sent to webhook endpoints, by how the delivery ended.",
      labelNames: ["result"],
      registers,
    });
  const attempts =
    (registry?.getSingleMetric(ATTEMPTS) as Counter<string> | undefined) ??
    new Counter({
      name: ATTEMPTS,
      help: "HTTP requests made to webhook endpoints, retries included.",
      registers,
    });
  // Zero every result up front so dashboards and alerts see the series before the first failure.
  for (const result of DELIVERY_RESULTS) deliveries.inc({ result }, 0);
  return { deliveries, attempts };
}
