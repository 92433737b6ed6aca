import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { Decision } from "@burnrate/core";
import { Webhook } from "standardwebhooks";

export interface WebhookReceiver {
  url: string;
  /** Every request received, with whether its signature verified. */
  attempts: { id: string; verified: boolean; status: number }[];
  /** Decisions handled, at most once per webhook-id (what an idempotent receiver does). */
  handled: Map<string, Decision>;
  close(): Promise<void>;
}

/**
 * A webhook endpoint on 127.0.0.1 that verifies Standard Webhooks signatures with the
 * `standardwebhooks` library. With `failFirst: n` it answers 503 to its first n requests.
 */
export async function startWebhookReceiver(
  secret: string,
  options: { failFirst?: number } = {},
): Promise<WebhookReceiver> {
  const webhook = new Webhook(secret);
  const attempts: WebhookReceiver["attempts"] = [];
  const handled = new Map<string, Decision>();
  let failures = options.failFirst ?? 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d;
    });
    req.on("end", () => {
      const id = String(req.headers["webhook-id"] ?? "");
      let verified = false;
      let decision: Decision | undefined;
      try {
        decision = webhook.verify(body, headersOf(req.headers)) as Decision;
        verified = true;
      } catch {
        verified = false;
      }
      const status = failures > 0 ? 503 : verified ? 204 : 401;
      if (failures > 0) failures--;
      attempts.push({ id, verified, status });
      if (status === 204 && decision && !handled.has(id)) handled.set(id, decision);
      res.writeHead(status);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/burnrate`,
    attempts,
    handled,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function headersOf(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]),
  );
}
