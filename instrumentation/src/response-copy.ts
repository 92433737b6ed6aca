import { SseParser } from "./kill-switch/sse.js";

/*
 * Reading a copy of a response's body: the usage of a call whose body the caller reads raw,
 * or never asks for, is read from a copy, leaving the original to the caller.
 */

/**
 * The JSON events of a `text/event-stream` body, as the SDKs' streams yield them. An error the
 * provider reports in the stream (Anthropic's `error` event, an OpenAI chunk with `error`) is
 * thrown, as the SDKs throw theirs.
 */
export async function* sseEvents(response: Response): AsyncGenerator<unknown> {
  if (!response.body) return;
  const events: unknown[] = [];
  let failure: StreamedApiError | undefined;
  const parser = new SseParser((event) => {
    if (event.data === "[DONE]" || failure) return;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return; // not JSON: no event the readers know
    }
    const reported = (data as { error?: unknown } | null)?.error;
    if (event.event === "error" || (reported !== undefined && !event.event.startsWith("thread."))) {
      failure = new StreamedApiError(reported ?? data);
    } else {
      events.push(data);
    }
  });
  const decoder = new TextDecoder();
  // Read by hand rather than with `for await`: leaving that loop cancels the copy, and a copy's
  // cancel waits until the caller's side of the body is cancelled too, which may never happen.
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.push(decoder.decode(value, { stream: true }));
      while (events.length > 0) yield events.shift();
      if (failure) throw failure;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * An error a provider reported inside a stream read from a copy. Named as the SDKs name theirs,
 * so the span's `error.type` is the same whether the SDK or the copy read the stream.
 */
class StreamedApiError extends Error {
  constructor(reported: unknown) {
    const message = (reported as { message?: unknown } | null)?.message;
    super(typeof message === "string" ? message : "the provider reported an error in the stream");
    this.name = "APIError";
  }
}
Object.defineProperty(StreamedApiError, "name", { value: "APIError" });

/**
 * The JSON body of a copy of `response`, read beside the caller's own read of the original;
 * undefined when the caller has already read the body, and nothing is left to copy.
 */
export function jsonOfCopy(response: Response): Promise<unknown> | undefined {
  try {
    return response.clone().json();
  } catch {
    return undefined;
  }
}
