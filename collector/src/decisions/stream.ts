import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authenticate } from "../receiver/auth.js";
import { HttpError } from "../receiver/http-error.js";
import { sendJson } from "../receiver/respond.js";
import type { DecisionHub, StreamedDecision, Subscriber } from "./hub.js";

export interface DecisionStreamOptions {
  /** Seconds between heartbeat comments, which keep proxies from closing an idle stream. */
  heartbeatSeconds: number;
}

/**
 * Most bytes a subscriber may leave unread before its stream is cut. A client that stops
 * reading would otherwise make the collector hold every decision for it; once cut, it
 * reconnects with Last-Event-ID and gets what it missed from the hub's recent decisions.
 */
export const MAX_UNREAD_BYTES = 1024 * 1024;

/**
 * GET /v1/decisions/stream: a server-sent-events stream of decisions for the key's project,
 * optionally only those for one service (`?service=`). Each event has an id; a client that
 * reconnects with `Last-Event-ID` resumes where it left off. Needs an ingest key, like
 * sending spans, since the app that sends spans is the one that listens.
 */
export function createDecisionStream(
  options: DecisionStreamOptions,
  deps: { hub: DecisionHub; authenticate: Authenticate },
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    let projectId: string;
    try {
      projectId = deps.authenticate(req, ["ingest"]);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      sendJson(res, error.status, { error: error.message }, error.headers);
      return;
    }
    const url = new URL(req.url ?? "/", "http://collector");
    const service = url.searchParams.get("service") || undefined;
    if (service && service.length > 256) {
      sendJson(res, 400, { error: "service: at most 256 characters" });
      return;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.flushHeaders();
    // What a reader may leave unread. The replay below is written at once, before the socket
    // can send any of it (it is bounded by what the hub keeps), so it is allowed on top, until
    // it has drained; from then on only the limit.
    let unreadAllowed = MAX_UNREAD_BYTES;
    const write = (event: StreamedDecision) => {
      res.write(eventText(event));
      if (res.writableLength > unreadAllowed) res.destroy();
    };
    const subscriber: Subscriber = { projectId, service, send: write, end: () => res.end() };
    const lastEventId = header(req, "last-event-id");
    for (const event of deps.hub.subscribe(subscriber, lastEventId)) {
      const text = eventText(event);
      unreadAllowed += Buffer.byteLength(text);
      res.write(text);
    }
    if (unreadAllowed > MAX_UNREAD_BYTES) res.once("drain", () => (unreadAllowed = MAX_UNREAD_BYTES));
    res.write(": connected\n\n");
    const heartbeat = setInterval(() => res.write(": ping\n\n"), options.heartbeatSeconds * 1000);
    heartbeat.unref();
    const close = () => {
      clearInterval(heartbeat);
      deps.hub.unsubscribe(subscriber);
    };
    req.on("close", close);
    res.on("close", close);
    res.on("error", close);
  };
}

function eventText(event: StreamedDecision): string {
  return `id: ${event.id}\nevent: decision\ndata: ${JSON.stringify(event.decision)}\n\n`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
