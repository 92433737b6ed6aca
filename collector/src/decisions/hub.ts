import { randomBytes } from "node:crypto";
import type { Decision } from "@burnrate/core";

/** A decision with its position in this process's stream. */
export interface StreamedDecision {
  /** `<boot>-<seq>`: the SSE event id, which a reconnecting client sends back as Last-Event-ID. */
  id: string;
  decision: Decision;
}

export interface Subscriber {
  projectId: string;
  /** When set, only decisions for this service or with no service in their scope. */
  service?: string;
  send(event: StreamedDecision): void;
  /** Ends the subscriber's stream (the collector is shutting down). */
  end(): void;
}

/**
 * Holds recent decisions and fans them out to subscribers (the SSE streams apps keep open).
 * It keeps the last `capacity` decisions so a client that reconnects with Last-Event-ID
 * gets what it missed, and a client that connects fresh gets every decision still in force.
 */
export class DecisionHub {
  readonly #boot = randomBytes(4).toString("hex");
  #seq = 0;
  readonly #recent: StreamedDecision[] = [];
  readonly #subscribers = new Set<Subscriber>();
  readonly #listeners: ((decision: Decision) => void)[] = [];

  constructor(private readonly capacity = 10_000) {}

  /** Publishes a decision to every matching subscriber and listener. */
  publish(decision: Decision): StreamedDecision {
    const event = { id: `${this.#boot}-${++this.#seq}`, decision };
    this.#recent.push(event);
    if (this.#recent.length > this.capacity) this.#recent.splice(0, this.#recent.length - this.capacity);
    for (const subscriber of this.#subscribers) {
      if (matches(subscriber, decision)) subscriber.send(event);
    }
    for (const listener of this.#listeners) listener(decision);
    return event;
  }

  /** Also hands every decision to `listener` (webhooks, incident writes). */
  onPublish(listener: (decision: Decision) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Adds a subscriber and returns what it should be sent first: the decisions after
   * `lastEventId` when that id is from this process, else every decision still in force.
   */
  subscribe(subscriber: Subscriber, lastEventId?: string, now = Date.now()): StreamedDecision[] {
    this.#subscribers.add(subscriber);
    const [boot, seq] = (lastEventId ?? "").split("-");
    const resumeAfter = boot === this.#boot ? Number(seq) : undefined;
    return this.#recent.filter((e) => {
      if (!matches(subscriber, e.decision)) return false;
      if (resumeAfter !== undefined && !Number.isNaN(resumeAfter))
        return Number(e.id.split("-")[1]) > resumeAfter;
      return Date.parse(e.decision.expires_at) > now;
    });
  }

  unsubscribe(subscriber: Subscriber): void {
    this.#subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Ends every subscriber's stream, so servers can close; apps reconnect to the next collector. */
  endStreams(): void {
    for (const subscriber of this.#subscribers) subscriber.end();
    this.#subscribers.clear();
  }
}

function matches(subscriber: Subscriber, decision: Decision): boolean {
  if (decision.project_id !== subscriber.projectId) return false;
  const service = decision.scope.service;
  return !subscriber.service || !service || service === subscriber.service;
}
