import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  id: string;
  headers: Record<string, string>;
  body: string;
  /** ms since the receiver started */
  at: number;
  /** What the receiver answered, or "drop" when it cut the connection. */
  answer: number | "drop";
}

/** How to answer the n-th request (0-based); "drop" destroys the socket without a response. */
export type Answer = { status: number; headers?: Record<string, string>; delayMs?: number } | "drop";

/**
 * A real HTTP webhook receiver on 127.0.0.1 with an ephemeral port. It records every
 * request and the most requests it ever had open at once.
 */
export async function startReceiver(
  answer: (request: ReceivedRequest, n: number) => Answer = () => ({ status: 204 }),
) {
  const started = Date.now();
  const received: ReceivedRequest[] = [];
  let open = 0;
  let maxOpen = 0;
  const server = createServer((req, res) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: ReceivedRequest = {
        id: String(req.headers["webhook-id"]),
        headers: flatten(req.headers),
        body: Buffer.concat(chunks).toString(),
        at: Date.now() - started,
        answer: 0,
      };
      const reply = answer(request, received.length);
      request.answer = reply === "drop" ? "drop" : reply.status;
      received.push(request);
      const finish = () => {
        open--;
        if (reply === "drop") return req.socket.destroy();
        res.writeHead(reply.status, reply.headers).end();
      };
      if (reply !== "drop" && reply.delayMs) setTimeout(finish, reply.delayMs);
      else finish();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/burnrate`,
    received,
    /** Ids the receiver answered with 2xx, once each: what a deduplicating receiver handled. */
    handled: () => [
      ...new Set(received.filter((r) => typeof r.answer === "number" && r.answer < 300).map((r) => r.id)),
    ],
    get maxOpen() {
      return maxOpen;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.join(", ") : String(value),
    ]),
  );
}
