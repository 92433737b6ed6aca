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
 * in any project, must not push a kill in force out of what a connecting app is sent. A kill
 * that a later `release` lifted is in force no more: it is dropped from what is held and
 * never sent on connecting. The release itself is held as long as the kill would have been,
 * for an app that resumes a stream and may hold the kill.
 */
export class DecisionHub {
  readonly #boot = randomBytes(4).toString("hex");
  #seq = 0;
  readonly #recent: Entry[] = [];
  /** Kills, tool blocks and releases, oldest first, until they expire (at most `capacity`). */
  #held: Entry[] = [];
  readonly #subscribers = new Set<Subscriber>();
  readonly #listeners: ((decision: Decision) => void)[] = [];

  constructor(private readonly capacity = 10_000) {}

  /** Publishes a decision to every matching subscriber and listener. */
  publish(decision: Decision, now = Date.now()): StreamedDecision {
    const entry = this.#entry(decision);
    this.#recent.push(entry);
    if (this.#recent.length > this.capacity) this.#recent.splice(0, this.#recent.length - this.capacity);
    this.#hold(entry, now);
    for (const subscriber of this.#subscribers) {
      if (matches(subscriber, decision)) subscriber.send(entry.event);
    }
    for (const listener of this.#listeners) listener(decision);
    return entry.event;
  }

  /**
   * Holds decisions an earlier run of the collector made that are still in force (read back
   * from `incidents` at start, oldest first), so apps connecting to this one are sent them too.
   * They are not published again: no listener (webhook, incident) sees them a second time.
   */
  restore(decisions: Decision[], now = Date.now()): void {
    // Releases last, so each finds the kill it lifts held, whatever order the two were stored in.
    const live = decisions.filter((d) => Date.parse(d.expires_at) > now);
    const releases = live.filter((d) => d.action === "release");
    for (const decision of [...live.filter((d) => d.action !== "release"), ...releases]) {
      this.#hold(this.#entry(decision), now);
    }
  }

  #entry(decision: Decision): Entry {
    const seq = ++this.#seq;
    return { seq, event: { id: `${this.#boot}-${seq}`, decision } };
  }

  /** Keeps a kill, block or release until it expires; a release drops the kill it lifts. */
  #hold(entry: Entry, now: number): void {
    const { decision } = entry.event;
    if (decision.action === "warn") return;
    if (decision.action === "release") {
      const released = decision.releases;
      this.#held = this.#held.filter((e) => e.event.decision.decision_id !== released);
    }
    this.#held.push(entry);
    if (this.#held.length > this.capacity) this.#held = inForce(this.#held, now).slice(-this.capacity);
  }

  /** Also hands every decision to `listener` (webhooks, incident writes). */
  onPublish(listener: (decision: Decision) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Adds a subscriber and returns what it should be sent first, oldest first, leaving out what
   * has expired: the decisions after `lastEventId` when that id is from this process (with the
   * held ones after it, should some have left the recent window since), else every decision
   * still in force. Kills released since are left out, and so are releases for a client that
   * starts afresh, which holds no kill to release.
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
    const releasedAt = this.#releases();
    return [...chosen]
      .filter((e) => {
        const decision = e.event.decision;
        if (!matches(subscriber, decision) || Date.parse(decision.expires_at) <= now) return false;
        if (decision.action === "release") return resumed !== undefined;
        return (releasedAt.get(decision.decision_id) ?? 0) < e.seq;
      })
      .sort((a, b) => a.seq - b.seq)
      .map((e) => e.event);
  }

  /** The sequence number of the latest release of each released decision still held or recent. */
  #releases(): Map<string, number> {
    const at = new Map<string, number>();
    for (const entries of [this.#held, this.#recent]) {
      for (const { seq, event } of entries) {
        const released = event.decision.action === "release" ? event.decision.releases : undefined;
        if (released !== undefined && seq > (at.get(released) ?? 0)) at.set(released, seq);
      }
    }
    return at;
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
