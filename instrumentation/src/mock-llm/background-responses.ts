import type { SseEvent } from "./sse.js";

/**
 * Background responses (`responses.create({ background: true })`), as the Responses API runs
 * them: the create call answers at once with the response `queued`, no output and no usage,
 * and the finished response, usage and all, is fetched later with `GET /v1/responses/{id}`.
 * The mock renders the finished response when the create call arrives and keeps it here
 * until it is retrieved; a retrieve before any `pollsBeforeDone` are used up answers
 * `in_progress`. A streamed retrieve (`?stream=true`) answers `response.in_progress` and then
 * the finished response's own final event; `POST /v1/responses/{id}/cancel` answers the
 * response `cancelled`, with the usage it had run up.
 */
export class BackgroundResponses {
  readonly #finished = new Map<string, { response: Record<string, unknown>; polls: number }>();

  /** Keeps the finished `response` and returns what the create call answers: the same response, queued. */
  start(response: Record<string, unknown>, pollsBeforeDone = 0): Record<string, unknown> {
    this.#finished.set(String(response.id), { response, polls: pollsBeforeDone });
    return pending(response, "queued");
  }

  /** What `GET /v1/responses/{id}` answers; undefined for an id the mock never started. */
  retrieve(id: string): Record<string, unknown> | undefined {
    const entry = this.#finished.get(id);
    if (!entry) return undefined;
    if (entry.polls > 0) {
      entry.polls--;
      return pending(entry.response, "in_progress");
    }
    return entry.response;
  }

  /** What a streamed retrieve sends: the response in progress, then its final event. */
  retrieveStream(id: string): SseEvent[] | undefined {
    const entry = this.#finished.get(id);
    if (!entry) return undefined;
    entry.polls = 0;
    const done = entry.response;
    const final = done.status === "failed" ? "response.failed" : "response.completed";
    return [
      {
        event: "response.in_progress",
        data: { type: "response.in_progress", sequence_number: 0, response: pending(done, "in_progress") },
      },
      { event: final, data: { type: final, sequence_number: 1, response: done } },
    ];
  }

  /** What `POST /v1/responses/{id}/cancel` answers: the response, cancelled, with its usage so far. */
  cancel(id: string): Record<string, unknown> | undefined {
    const entry = this.#finished.get(id);
    if (!entry) return undefined;
    entry.polls = 0;
    entry.response = { ...entry.response, status: "cancelled" };
    return entry.response;
  }

  clear(): void {
    this.#finished.clear();
  }
}

function pending(
  response: Record<string, unknown>,
  status: "queued" | "in_progress",
): Record<string, unknown> {
  return { ...response, status, completed_at: null, output: [], usage: null, background: true };
}

/**
 * What a request for a stored response asks: `GET /v1/responses/{id}` (streamed with
 * `?stream=true`) or `POST /v1/responses/{id}/cancel`; undefined for any other request.
 */
export function storedResponseRequest(
  method: string | undefined,
  url: string,
): { id: string; action: "retrieve" | "stream" | "cancel" } | undefined {
  const [path = "", query = ""] = url.split("?", 2);
  const match = /^\/v1\/responses\/([^/]+)(\/cancel)?\/*$/.exec(path);
  if (!match) return undefined;
  const id = match[1]!;
  if (match[2]) return method === "POST" ? { id, action: "cancel" } : undefined;
  if (method !== "GET") return undefined;
  return { id, action: new URLSearchParams(query).get("stream") === "true" ? "stream" : "retrieve" };
}
