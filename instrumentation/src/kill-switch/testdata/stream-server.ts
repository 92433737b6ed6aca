import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Decision } from "@burnrate/core";

/** One request the server answered: when it came, and the Last-Event-ID it resumed from. */
export interface StreamRequest {
  at: number;
  lastEventId: string | undefined;
}

export interface StreamServer {
  /** The collector's base URL, for `KillSwitch`'s `endpoint`. */
  url: string;
  requests: StreamRequest[];
  close(): Promise<void>;
}

/**
 * A decision stream on 127.0.0.1 whose answers the test writes: `respond` gets each request
 * with its number (0 for the first) and answers it however the case needs.
 */
export async function startStreamServer(
  respond: (res: ServerResponse, index: number, req: IncomingMessage) => void,
): Promise<StreamServer> {
  const requests: StreamRequest[] = [];
  const server: Server = createServer((req, res) => {
    const lastEventId = req.headers["last-event-id"];
    requests.push({ at: Date.now(), lastEventId: Array.isArray(lastEventId) ? lastEventId[0] : lastEventId });
    respond(res, requests.length - 1, req);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Answers 200 with the event-stream content type, as the collector does, and writes `body`. */
export function openStream(res: ServerResponse, body = ": connected\n\n"): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.write(body);
}

/** A decision as one server-sent event, the way the collector writes it. */
export function decisionEvent(id: string, decision: Decision): string {
  return `id: ${id}\nevent: decision\ndata: ${JSON.stringify(decision)}\n\n`;
}

/** Waits until `done()` holds, or `timeoutMs` passes; the caller's assertions then say what went wrong. */
export async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
