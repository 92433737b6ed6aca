import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { type Decision, type DecisionScope, decisionSchema, inScope } from "@burnrate/core";
import { diag } from "@opentelemetry/api";
import { warnConfig } from "../config-warning.js";
import { SseParser } from "./sse.js";
import { stopError } from "./stop-error.js";

export interface KillSwitchOptions {
  /** The collector's base URL; the stream is at `/v1/decisions/stream`. */
  endpoint: string;
  service: string;
  apiKey?: string;
  enabled: boolean;
  /**
   * Longest the stream may stay silent, in ms, before it is taken for dead and reopened. The
   * collector sends a heartbeat every 15 s (`decisions.heartbeatSeconds`); default 45 s.
   */
  idleTimeoutMs?: number;
  /**
   * How long, in ms, a stream must stay open, having sent something, before reconnecting
   * starts again from the shortest delay; default 5 s.
   */
  stableAfterMs?: number;
}

/** Three missed heartbeats of the collector's default 15 s. */
const IDLE_TIMEOUT_MS = 45_000;
const STABLE_AFTER_MS = 5_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/** What a call is, in the terms decisions are scoped by. */
export type CallScope = Partial<Record<keyof DecisionScope, string>>;

type Handler = (decision: Decision) => void;

const untracked = () => {};

/**
 * Listens to the collector's decision stream and keeps a kill list. Every wrapped LLM call
 * checks the list before it is sent. It connects on the first LLM call (never at import, so
 * an app without a collector starts as usual), reconnects with backoff, resumes with
 * Last-Event-ID, reopens a stream that has gone silent, and never holds the process open.
 */
export class KillSwitch {
  readonly #kills = new Map<string, Decision>();
  readonly #onKill: Handler[] = [];
  readonly #onDecision: Handler[] = [];
  /**
   * Streams in progress. An entry goes when its call ends, and a stream the app drops unread
   * ends its call once it is garbage-collected (see stream.ts), so none is kept for good.
   */
  readonly #streams = new Map<AbortController, CallScope>();
  #started = false;
  #endpoint: string;
  #lastEventId: string | undefined;
  #backoffMs = FIRST_RETRY_MS;
  #refusedWarned = false;
  #notStreamWarned = false;

  constructor(private readonly options: KillSwitchOptions) {
    this.#endpoint = options.endpoint;
  }

  /**
   * Listens at another collector from the next connection on: normally before the first,
   * since the stream starts on the first LLM call. Event ids are the old collector's, so
   * the new stream starts afresh (it sends every decision still in force).
   */
  useEndpoint(endpoint: string): void {
    if (endpoint === this.#endpoint) return;
    this.#endpoint = endpoint;
    this.#lastEventId = undefined;
  }

  /** Starts listening, once. */
  ensureStarted(): void {
    if (this.#started || !this.options.enabled) return;
    this.#started = true;
    this.#connect();
  }

  /** True while any kill decision is held: only then does a call need its scope built and checked. */
  get hasKills(): boolean {
    return this.#kills.size > 0;
  }

  /** Throws the typed error of a kill decision in force for this call's scope. */
  check(call: CallScope, now = Date.now()): void {
    if (this.#kills.size === 0) return;
    for (const [id, decision] of this.#kills) {
      if (Date.parse(decision.expires_at) <= now) {
        this.#kills.delete(id);
        continue;
      }
      if (inScope(decision.scope, call)) throw stopError(decision);
    }
  }

  /** Registers `handler` for kill decisions; returns a function that removes it. */
  onKill(handler: Handler): () => void {
    return add(this.#onKill, handler);
  }

  /** Registers `handler` for every decision (warn, block_tool, kill, release). */
  onDecision(handler: Handler): () => void {
    return add(this.#onDecision, handler);
  }

  /** Tracks a stream in progress, so a kill of its scope aborts it. Returns the untrack function. */
  trackStream(controller: AbortController, scope: CallScope): () => void {
    if (!this.options.enabled) return untracked;
    this.#streams.set(controller, scope);
    return () => this.#streams.delete(controller);
  }

  /** Streams tracked now, for tests and metrics. */
  get trackedStreams(): number {
    return this.#streams.size;
  }

  /** Applies a decision as if it had arrived on the stream (used by tests and the stream itself). */
  receive(decision: Decision, now = Date.now()): void {
    // A Last-Event-ID resume replays what the app missed while it was away, expired or not.
    // An expired kill must not abort live streams or run onKill for a scope that is free again.
    if (Date.parse(decision.expires_at) <= now) {
      diag.debug(
        `burnrate: ignored decision ${decision.decision_id}, which expired at ${decision.expires_at}`,
      );
      return;
    }
    if (decision.action === "kill") {
      this.#kills.set(decision.decision_id, decision);
      for (const [controller, scope] of this.#streams) {
        if (inScope(decision.scope, scope)) controller.abort(stopError(decision));
      }
      for (const handler of this.#onKill) safely(handler, decision);
    } else if (decision.action === "release" && decision.releases !== undefined) {
      // The collector lifted that kill (its budget was raised or deleted): calls in its scope go again.
      this.#kills.delete(decision.releases);
    }
    for (const handler of this.#onDecision) safely(handler, decision);
  }

  /** Decisions in force, for inspection. */
  get kills(): Decision[] {
    return [...this.#kills.values()];
  }

  #connect(): void {
    try {
      this.#open();
    } catch (error) {
      // Only the settings can make opening the stream throw (an endpoint that is not a URL, an
      // API key a header cannot carry), and retrying would not change them.
      warnConfig(`the kill switch is off: cannot open the decision stream (${(error as Error).message})`);
    }
  }

  #open(): void {
    const url = new URL(`${this.#endpoint.replace(/\/$/, "")}/v1/decisions/stream`);
    url.searchParams.set("service", this.options.service);
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (this.options.apiKey) headers["x-burnrate-api-key"] = this.options.apiKey;
    if (this.#lastEventId) headers["last-event-id"] = this.#lastEventId;
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(url, { headers });
    // The stream must never keep an app alive that has finished its work.
    req.on("socket", (socket) => socket.unref());
    // A collector host that died, or a network partition, sends no FIN: the socket just goes
    // quiet and would be listened to for good. A live stream is never quiet that long, since
    // the collector sends heartbeats, so silence means the stream is gone.
    const idle = setTimeout(() => req.destroy(), this.options.idleTimeoutMs ?? IDLE_TIMEOUT_MS);
    idle.unref();
    let openedAt: number | undefined;
    let received = false;
    req.on("response", (res) => {
      idle.refresh();
      res.on("error", () => {});
      if (res.statusCode !== 200) {
        if ((res.statusCode === 401 || res.statusCode === 403) && !this.#refusedWarned) {
          // A key problem is the user's to fix, so it is said where they will see it, once.
          this.#refusedWarned = true;
          warnConfig(
            `the collector refused the decision stream (${res.statusCode}): set BURNRATE_API_KEY to an ingest key of this project; retrying meanwhile`,
          );
        } else diag.warn(`burnrate: decision stream answered ${res.statusCode}; retrying`);
        res.resume();
        return;
      }
      const type = res.headers["content-type"] ?? "";
      if (!/^text\/event-stream\s*(;|$)/i.test(type)) {
        // A proxy's default page or some other server: the endpoint is wrong, which is the user's to fix.
        if (!this.#notStreamWarned) {
          this.#notStreamWarned = true;
          warnConfig(
            `the decision stream at ${url.origin}${url.pathname} answered 200 with content type ${JSON.stringify(type)}, not "text/event-stream": is that the collector? Set BURNRATE_DECISIONS_URL to its base URL; retrying meanwhile`,
          );
        }
        req.destroy();
        return;
      }
      openedAt = Date.now();
      const parser = new SseParser((event) => {
        if (event.id) this.#lastEventId = event.id;
        if (event.event !== "decision") return;
        // Whatever the stream sends, a bad event is dropped here: it must never reach the app.
        const parsed = decisionSchema.safeParse(parseJson(event.data));
        if (parsed.success) this.receive(parsed.data);
        else diag.warn("burnrate: ignored a malformed decision", parsed.error.message);
      });
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        idle.refresh();
        received = true;
        parser.push(chunk);
      });
    });
    req.on("close", () => {
      clearTimeout(idle);
      // Only a stream that proved itself starts the backoff afresh: one that a proxy or a
      // server cuts as soon as it opens would otherwise be reopened four times a second.
      const stable = this.options.stableAfterMs ?? STABLE_AFTER_MS;
      if (openedAt !== undefined && received && Date.now() - openedAt >= stable) {
        this.#backoffMs = FIRST_RETRY_MS;
      }
      this.#reconnect();
    });
    req.on("error", () => {});
    req.end();
  }

  #reconnect(): void {
    const delay = this.#backoffMs * (0.8 + Math.random() * 0.4);
    this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_RETRY_MS);
    setTimeout(() => this.#connect(), delay).unref();
  }
}

function add(list: Handler[], handler: Handler): () => void {
  list.push(handler);
  return () => {
    const i = list.indexOf(handler);
    if (i !== -1) list.splice(i, 1);
  };
}

function safely(handler: Handler, decision: Decision): void {
  try {
    handler(decision);
  } catch (error) {
    diag.error("burnrate: an onKill/onDecision handler threw", error);
  }
}

/** The event's JSON, or the text itself when it is not JSON (which the decision schema then refuses). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
