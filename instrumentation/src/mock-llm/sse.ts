import type { ServerResponse } from "node:http";
import { pause } from "./http-io.js";

/** One server-sent event: OpenAI Chat sends bare `data:` lines, Responses and Anthropic name each event. */
export interface SseEvent {
  /** The `event:` field; omitted for OpenAI Chat Completions chunks. */
  event?: string;
  /** A JSON value, or a raw string such as OpenAI's `[DONE]` sentinel. */
  data: unknown;
}

/** Pacing and fault injection for one stream. */
export interface SsePacing {
  chunkDelayMs: number;
  /** Destroy the socket once this many events are on the wire. */
  cutAfterChunks: number | undefined;
}

/** Renders one event in the `text/event-stream` framing both SDKs decode. */
export function formatSseEvent(event: SseEvent): string {
  const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data);
  const name = event.event === undefined ? "" : `event: ${event.event}\n`;
  return `${name}data: ${data}\n\n`;
}

/**
 * Streams events to the client, waiting `chunkDelayMs` between them. With `cutAfterChunks`
 * it destroys the socket mid-response, which the SDKs see as a body that ends without the
 * stream's final event: the way a dropped upstream connection looks.
 *
 * Resolves when the stream ends, is cut, or the client goes away (an SDK `break` aborts
 * the request); it never rejects for a closed client.
 */
export async function writeSse(
  response: ServerResponse,
  events: readonly SseEvent[],
  pacing: SsePacing,
  headers: Record<string, string>,
): Promise<void> {
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    ...headers,
  });
  // Headers go out now, so the client sees the response start even before the first event.
  response.flushHeaders();
  for (const [index, event] of events.entries()) {
    if (pacing.cutAfterChunks !== undefined && index >= pacing.cutAfterChunks) {
      response.socket?.destroy();
      return;
    }
    if (index > 0 && pacing.chunkDelayMs > 0 && !(await pause(response, pacing.chunkDelayMs))) return;
    if (response.destroyed) return;
    // Waiting for the flush keeps memory flat for slow readers and makes a later cut land
    // after these bytes, not in place of them.
    const written = await write(response, formatSseEvent(event));
    if (!written) return;
  }
  response.end();
}

// Node may drop the write callback when the socket is already gone, so 'close' also settles it.
function write(response: ServerResponse, text: string): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    response.once("close", onClose);
    response.write(text, (error) => {
      response.off("close", onClose);
      resolve(!error);
    });
  });
}

/**
 * A stream as a provider sends it when it fails mid-way: the first `afterChunks` events,
 * then its failure event in place of the rest.
 */
export function failAfter(events: readonly SseEvent[], afterChunks: number, failure: SseEvent): SseEvent[] {
  return [...events.slice(0, afterChunks), failure];
}
