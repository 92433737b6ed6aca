import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/** Reads a whole request body as UTF-8 text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses a body that must be a JSON object; `undefined` for anything else. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Sends a complete JSON response. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/**
 * Announces a complete JSON response but sends only its first half, then destroys the socket:
 * a connection lost while the client reads the body.
 */
export function sendHalfJson(response: ServerResponse, body: unknown, headers: Record<string, string>): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(200, {
    "content-type": "application/json",
    "content-length": String(bytes.length),
    ...headers,
  });
  response.write(bytes.subarray(0, bytes.length >> 1), () => response.destroy());
}

/**
 * Waits `ms`, cut short when the connection closes, so a server being closed or a client
 * that gave up leaves no timers behind. Resolves `false` if the connection closed.
 */
export async function pause(response: ServerResponse, ms: number): Promise<boolean> {
  if (response.destroyed) return false;
  const closed = new AbortController();
  const onClose = () => closed.abort();
  response.once("close", onClose);
  try {
    await sleep(ms, undefined, { signal: closed.signal });
    return !response.destroyed;
  } catch {
    return false;
  } finally {
    response.off("close", onClose);
  }
}
