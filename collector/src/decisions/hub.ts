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

/** A streamed decision with its sequence number in this process. */
interface Entry {
  seq: number;
  event: StreamedDecision;
}

/**
 * Holds recent decisions and fans them out to subscribers (the SSE streams apps keep open).
 * It keeps the last `capacity` decisions so a client that reconnects with Last-Event-ID gets
 * what it missed, and a client that connects fresh gets every decision still in force. Kills
 * and tool blocks are also held until they expire, apart from that window: a burst of warnings,
 * in any project, must not push a kill in force out of what a connecting app is sent.
 */
export class DecisionHub {
  readonly #boot = randomBytes(4).toString("hex");
  #seq = 0;
  readonly #recent: Entry[] = [];
  /** Kills and tool blocks, oldest first, until they expire (at most `capacity`). */
  #held: Entry[] = [];
  readonly #subscribers = new Set<Subscriber>();
  readonly #listeners: ((decision: Decision) => void)[] = [];

  constructor(private readonly capacity = 10_000) {}

  /** Publishes a decision to every matching subscriber and listener. */
  publish(decision: Decision, now = Date.now()): StreamedDecision {
    const entry = { seq: ++this.#seq, event: { id: `${this.#boot}-${this.#seq}`, decision } };
    this.#recent.push(entry);
    if (this.#recent.length > this.capacity) this.#recent.splice(0, this.#recent.length - this.capacity);
    if (decision.action !== "warn") {
      this.#held.push(entry);
      if (this.#held.length > this.capacity) this.#held = inForce(this.#held, now).slice(-this.capacity);
    }
    for (const subscriber of this.#subscribers) {
      if (matches(subscriber, decision)) subscriber.send(entry.event);
    }
    for (const listener of this.#listeners) listener(decision);
    return entry.event;
  }

  /** Also hands every decision to `listener` (webhooks, incident writes). */
  onPublish(listener: (decision: Decision) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Adds a subscriber and returns what it should be sent first, oldest first, leaving out what
   * has expired: the decisions after `lastEventId` when that id is from this process (with the
   * held ones after it, should some have left the recent window since), else every decision
   * still in force.
   */
  subscribe(subscriber: Subscriber, lastEventId?: string, now = Date.now()): StreamedDecision[] {
    this.#subscribers.add(subscriber);
    this.#held = inForce(this.#held, now);
    const [boot, seq] = (lastEventId ?? "").split("-");
    const resumed = boot === this.#boot && /^\d+$/.test(seq ?? "") ? Number(seq) : undefined;
    const after = resumed ?? 0;
    const gap = resumed === undefined || (this.#recent[0]?.seq ?? Infinity) > resumed + 1;
    const chosen = new Set<Entry>();
    for (const entry of gap ? this.#held : []) if (entry.seq > after) chosen.add(entry);
    for (const entry of this.#recent) if (entry.seq > after) chosen.add(entry);
    return [...chosen]
      .filter((e) => matches(subscriber, e.event.decision) && Date.parse(e.event.decision.expires_at) > now)
      .sort((a, b) => a.seq - b.seq)
      .map((e) => e.event);
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

function inForce(entries: Entry[], now: number): Entry[] {
  return entries.filter((e) => Date.parse(e.event.decision.expires_at) > now);
}

function matches(subscriber: Subscriber, decision: Decision): boolean {
  if (decision.project_id !== subscriber.projectId) return false;
  const service = decision.scope.service;
  return !subscriber.service || !service || service === subscriber.service;
}
