import type { Decision } from "@burnrate/core";
import { Registry } from "prom-client";
import type { Logger } from "../writer/writer.js";
import { WebhookEndpoint } from "./endpoint.js";
import { RecentIds } from "./recent-ids.js";
import type { WebhooksConfig } from "./webhook-config.js";
import { webhookCounters } from "./webhook-metrics.js";

export {
  DEFAULT_RETRY_DELAYS_MS,
  type WebhookEndpointConfig,
  type WebhooksConfig,
  webhookEndpointSchema,
  webhooksConfigSchema,
} from "./webhook-config.js";
export { DELIVERY_RESULTS, type DeliveryResult } from "./webhook-metrics.js";

export interface WebhookDispatcherOptions {
  /** Where the webhook counters are registered: a Registry, or the collector's metrics object. */
  metrics?: Registry | { registry: Registry };
  log: Logger;
  /** Replaceable for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** The clock signatures are stamped with; `Date.now` otherwise. */
  now?: () => number;
  /** How many recent decision ids are remembered to drop repeats. */
  rememberIds?: number;
}

/**
 * Sends each decision as a signed Standard Webhooks POST to every endpoint subscribed to
 * its action. `webhook-id` is the decision id, so a receiver can drop repeats; the
 * dispatcher drops them too, delivering one decision id at most once per endpoint.
 * Delivery is asynchronous, with a queue and a concurrency limit per endpoint and fast
 * retries with jitter, so a slow or dead endpoint never delays detection or other endpoints.
 *
 * @example
 * const webhooks = new WebhookDispatcher(config.webhooks, { metrics, log });
 * hub.onPublish((decision) => webhooks.publish(decision));
 * // at shutdown:
 * await webhooks.drain(2_000);
 * await webhooks.close();
 */
export class WebhookDispatcher {
  readonly #endpoints: WebhookEndpoint[];
  readonly #seen: RecentIds;
  readonly #log: Logger;
  #closed = false;

  constructor(config: WebhooksConfig, options: WebhookDispatcherOptions) {
    const registry = options.metrics instanceof Registry ? options.metrics : options.metrics?.registry;
    const deps = {
      fetch: options.fetch ?? globalThis.fetch,
      log: options.log,
      counters: webhookCounters(registry),
      now: options.now ?? Date.now,
    };
    this.#log = options.log;
    this.#endpoints = config.map((endpoint) => new WebhookEndpoint(endpoint, deps));
    this.#seen = new RecentIds(options.rememberIds ?? 10_000);
  }

  /**
   * Queues `decision` for every subscribed endpoint and returns at once. It never throws:
   * a decision that cannot be sent is logged, and detection carries on.
   */
  publish(decision: Decision): void {
    try {
      if (this.#closed) {
        this.#log.warn(`webhooks: decision ${decision.decision_id} published after close; not sent`);
        return;
      }
      if (!this.#seen.add(decision.decision_id)) return;
      const targets = this.#endpoints.filter((endpoint) => endpoint.wants(decision.action));
      if (targets.length === 0) return;
      // Serialised once so every endpoint signs and receives the very same bytes.
      const body = JSON.stringify(decision);
      for (const endpoint of targets) endpoint.enqueue(decision.decision_id, body, decision);
    } catch (error) {
      this.#log.error(`webhooks: could not queue decision ${decision?.decision_id}: ${String(error)}`);
    }
  }

  /** Deliveries queued, in flight or waiting to retry, over all endpoints. */
  get pending(): number {
    return this.#endpoints.reduce((sum, endpoint) => sum + endpoint.pending, 0);
  }

  /**
   * Waits for queued deliveries (retries included) to end, or for `timeoutMs`, whichever
   * comes first. It never rejects; what is left keeps going until {@link close}.
   */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      await Promise.race([Promise.all(this.#endpoints.map((endpoint) => endpoint.settled())), deadline]);
    } finally {
      clearTimeout(timer);
    }
    const left = this.pending;
    if (left > 0) {
      // Named, so an operator knows which decisions a receiver never got (kills above all).
      const names = this.#endpoints.flatMap((endpoint) => endpoint.undelivered);
      const shown =
        names.slice(0, 20).join(", ") + (names.length > 20 ? `, and ${names.length - 20} more` : "");
      this.#log.warn(
        `webhooks: ${left} deliveries still pending after ${timeoutMs} ms of draining, and dropped at close: ${shown}`,
      );
    }
  }

  /** Stops retry timers and aborts requests in flight; undelivered decisions are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const endpoint of this.#endpoints) endpoint.close();
    await Promise.all(this.#endpoints.map((endpoint) => endpoint.settled()));
  }
}
