import { setTimeout as sleep } from "node:timers/promises";
import type { AnyDecisionAction } from "@burnrate/core";
import { Webhook } from "standardwebhooks";
import type { Logger } from "../writer/writer.js";
import { type AttemptOutcome, jitter, outcomeOfStatus } from "./retry-policy.js";
import type { WebhookEndpointConfig } from "./webhook-config.js";
import type { DeliveryResult, WebhookCounters } from "./webhook-metrics.js";

/** What an endpoint needs from the dispatcher that owns it. */
export interface EndpointDeps {
  fetch: typeof fetch;
  log: Logger;
  counters: WebhookCounters;
  /** Milliseconds since the epoch; signatures take their timestamp from it. */
  now: () => number;
}

/**
 * One webhook endpoint: its queue, its concurrency limit and its retries. Each decision
 * becomes a delivery that retries on its own schedule; only HTTP requests take a
 * concurrency slot, so a decision waiting to retry never holds up a fresh one.
 */
export class WebhookEndpoint {
  readonly #signer: Webhook;
  /** Origin and path only: a query string may carry the receiver's own token. */
  readonly #name: string;
  readonly #deliveries = new Set<Promise<void>>();
  /** Each decision being delivered, by id: what it is, and its delivery, which a release waits for. */
  readonly #active = new Map<string, { action: AnyDecisionAction; delivery: Promise<void> }>();
  /** Deliveries waiting for a request slot, oldest first. */
  readonly #waiting: ((granted: boolean) => void)[] = [];
  readonly #closing = new AbortController();
  #inFlight = 0;
  #gone = false;
  #overflowLogged = false;

  constructor(
    private readonly config: WebhookEndpointConfig,
    private readonly deps: EndpointDeps,
  ) {
    this.#signer = new Webhook(config.secret);
    const url = new URL(config.url);
    this.#name = `${url.origin}${url.pathname}`;
  }

  /**
   * True when this endpoint subscribed to decisions with `action`. An endpoint that takes kills
   * takes their releases too: a receiver that stopped something must hear when to let it go.
   */
  wants(action: AnyDecisionAction): boolean {
    const actions = this.config.actions;
    return actions.includes(action) || (action === "release" && actions.includes("kill"));
  }

  /**
   * Queues one delivery; `body` is the decision's JSON, shared by every endpoint. A release is
   * sent only once the delivery of the kill it lifts has ended, so a receiver that applies
   * decisions as they come is never left killed by a kill that arrived after its release.
   * Warnings fill the queue up to `maxQueued`; kills, blocks and releases have as much again
   * to themselves, so a burst of warnings never crowds them out.
   */
  enqueue(id: string, body: string, decision: { action: AnyDecisionAction; releases?: string }): void {
    if (this.#closing.signal.aborted) return;
    if (this.#gone) {
      this.#count("gone");
      return;
    }
    const { maxQueued } = this.config;
    if (this.#deliveries.size >= (decision.action === "warn" ? maxQueued : 2 * maxQueued)) {
      if (decision.action !== "warn") {
        this.deps.log.warn(
          `webhook ${this.#name}: ${this.#deliveries.size} deliveries already waiting; dropping ${decision.action} decision ${id}`,
        );
      } else if (!this.#overflowLogged) {
        // One line per backlog of warnings, not per warning: a dead endpoint could otherwise flood the log.
        this.deps.log.warn(
          `webhook ${this.#name}: ${this.#deliveries.size} deliveries already waiting (maxQueued); dropping warning ${id} and any more until the backlog clears`,
        );
        this.#overflowLogged = true;
      }
      this.#count("failed");
      return;
    }
    const after = decision.releases === undefined ? undefined : this.#active.get(decision.releases)?.delivery;
    const delivery = (after ? after.then(() => this.#deliver(id, body)) : this.#deliver(id, body))
      .then((result) => result && this.#count(result))
      .catch((error: unknown) =>
        this.deps.log.error(`webhook ${this.#name}: delivery of decision ${id} crashed: ${String(error)}`),
      )
      .finally(() => {
        this.#deliveries.delete(delivery);
        if (this.#active.get(id)?.delivery === delivery) this.#active.delete(id);
        if (this.#deliveries.size < maxQueued) this.#overflowLogged = false;
      });
    this.#deliveries.add(delivery);
    this.#active.set(id, { action: decision.action, delivery });
  }

  /** The decisions not yet delivered (queued, in flight or waiting to retry), as `action id`. */
  get undelivered(): string[] {
    return [...this.#active].map(([id, { action }]) => `${action} ${id}`);
  }

  /** Deliveries queued, in flight or waiting to retry. */
  get pending(): number {
    return this.#deliveries.size;
  }

  /** Resolves once every delivery, including ones queued meanwhile, has ended. */
  async settled(): Promise<void> {
    while (this.#deliveries.size > 0) await Promise.allSettled([...this.#deliveries]);
  }

  /** Cancels retry timers and aborts requests in flight; what has not been delivered is dropped. */
  close(): void {
    this.#closing.abort();
    for (const wake of this.#waiting.splice(0)) wake(false);
  }

  /** Runs the attempts for one decision. Undefined when shut down before an outcome. */
  async #deliver(id: string, body: string): Promise<DeliveryResult | undefined> {
    const { retryDelaysMs, giveUpAfterMs } = this.config;
    let started = Date.now();
    let attempts = 0;
    let last: AttemptOutcome | undefined;
    for (const [attempt, scheduled] of retryDelaysMs.entries()) {
      const retryAfterMs = last?.kind === "retry" ? (last.retryAfterMs ?? 0) : 0;
      const wait = Math.max(jitter(scheduled), retryAfterMs);
      if (attempt > 0 && Date.now() + wait - started > giveUpAfterMs) break;
      if (!(await this.#pause(wait))) return undefined;
      // Another delivery may have been told 410 while this one waited.
      if (this.#gone) return "gone";
      // The budget counts from the first attempt, not from time spent queued behind others.
      if (attempts++ === 0) started = Date.now();
      last = await this.#attemptInSlot(id, body);
      if (last === undefined) return undefined;
      if (last.kind === "delivered") return "delivered";
      if (last.kind === "gone") return this.#stopSending(id);
      if (last.kind === "failed") {
        this.deps.log.warn(
          `webhook ${this.#name}: decision ${id} refused with ${last.problem}; not retrying, since the same request would be refused again. Check the endpoint's signature secret and handler`,
        );
        return "failed";
      }
    }
    const seconds = ((Date.now() - started) / 1_000).toFixed(1);
    const problem = last?.kind === "retry" ? last.problem : "no attempt";
    this.deps.log.warn(
      `webhook ${this.#name}: gave up on decision ${id} after ${attempts} attempts in ${seconds} s (last: ${problem}); the app did not get it by webhook, check that the endpoint is up`,
    );
    return "gave_up";
  }

  #stopSending(id: string): DeliveryResult {
    if (!this.#gone) {
      this.#gone = true;
      // Standard Webhooks lets a receiver ask to be disabled with 410; we honour that until restart.
      this.deps.log.warn(
        `webhook ${this.#name}: answered 410 Gone to decision ${id}, asking to stop receiving webhooks; no more decisions go to it until the collector restarts. Remove it from webhooks: in the config, or fix the receiver`,
      );
    }
    return "gone";
  }

  /** Waits `ms`; false when the endpoint closed meanwhile. */
  async #pause(ms: number): Promise<boolean> {
    if (this.#closing.signal.aborted) return false;
    if (ms <= 0) return true;
    try {
      await sleep(ms, undefined, { signal: this.#closing.signal });
      return true;
    } catch {
      return false;
    }
  }

  async #attemptInSlot(id: string, body: string): Promise<AttemptOutcome | undefined> {
    if (!(await this.#acquire())) return undefined;
    try {
      return await this.#attempt(id, body);
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<boolean> {
    if (this.#closing.signal.aborted) return Promise.resolve(false);
    if (this.#inFlight < this.config.maxConcurrency) {
      this.#inFlight++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the slot straight to the oldest waiter, so the in-flight count never overshoots. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) next(true);
    else this.#inFlight--;
  }

  /** One signed POST. Undefined when aborted by close, which is not the receiver's fault. */
  async #attempt(id: string, body: string): Promise<AttemptOutcome | undefined> {
    this.deps.counters.attempts.inc();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.config.timeoutMs);
    try {
      const response = await this.deps.fetch(this.config.url, {
        method: "POST",
        headers: this.#headers(id, body),
        body,
        // A redirect would re-send the signed body to a host the operator never configured.
        redirect: "manual",
        signal: AbortSignal.any([timeout.signal, this.#closing.signal]),
      });
      // Release the connection; the answer's body tells us nothing.
      await response.body?.cancel().catch(() => undefined);
      return outcomeOfStatus(response.status, response.headers.get("retry-after"), Date.now());
    } catch (error) {
      if (this.#closing.signal.aborted) return undefined;
      if (timeout.signal.aborted)
        return { kind: "retry", problem: `no answer within ${this.config.timeoutMs} ms` };
      return { kind: "retry", problem: `network error ${networkErrorCode(error)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Signs afresh for every attempt: receivers reject timestamps older than a few minutes. */
  #headers(id: string, body: string): Record<string, string> {
    const seconds = Math.floor(this.deps.now() / 1_000);
    return {
      "content-type": "application/json",
      "user-agent": "burnrate-collector",
      "webhook-id": id,
      "webhook-timestamp": String(seconds),
      "webhook-signature": this.#signer.sign(id, new Date(seconds * 1_000), body),
    };
  }

  #count(result: DeliveryResult): void {
    this.deps.counters.deliveries.inc({ result });
  }
}

/** fetch wraps socket errors as `TypeError: fetch failed`; the cause's code says what happened. */
function networkErrorCode(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause && typeof cause === "object" && "code" in cause ? String(cause.code) : undefined;
  return code ?? (error instanceof Error ? error.name : "unknown");
}
