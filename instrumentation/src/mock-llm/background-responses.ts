/**
 * Background responses (`responses.create({ background: true })`), as the Responses API runs
 * them: the create call answers at once with the response `queued`, no output and no usage,
 * and the finished response, usage and all, is fetched later with `GET /v1/responses/{id}`.
 * The mock renders the finished response when the create call arrives and keeps it here
 * until it is retrieved; a retrieve before any `pollsBeforeDone` are used up answers
 * `in_progress`.
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

/** The response id of a `GET /v1/responses/{id}` path, or undefined for any other path. */
export function retrievedId(url: string): string | undefined {
  const path = url.split("?", 1)[0]!.replace(/\/+$/, "");
  return /^\/v1\/responses\/([^/]+)$/.exec(path)?.[1];
}
