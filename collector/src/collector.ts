import type { IncomingMessage, ServerResponse } from "node:http";
import type { ClickHouse } from "@burnrate/storage";

export interface CollectorOptions {
  db: ClickHouse;
}

/** The collector: an HTTP request listener plus what must be flushed when it stops. */
export interface Collector {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Stops taking work and flushes everything accepted into storage. */
  close(): Promise<void>;
}

/** Creates the collector. Listening is the caller's job, so tests and `burnrate start` share it. */
export function createCollector(options: CollectorOptions): Collector {
  const { db } = options;
  return {
    handle(req, res) {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method === "GET" && path === "/healthz") {
        db.ping().then(
          () => sendJson(res, 200, { status: "ok" }),
          (error: Error) => sendJson(res, 503, { status: "unavailable", error: error.message }),
        );
        return;
      }
      sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
    },
    async close() {},
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
