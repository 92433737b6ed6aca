/**
 * Wraps an SDK stream so telemetry sees every item after the caller does. The result is a
 * new instance of the SDK's own Stream class around a generator over the original, so
 * `tee()`, `toReadableStream()` and `controller.abort()` keep working as the SDK defines
 * them. `onEnd` runs once: with no error when the stream completes, with the error when it
 * fails or is aborted, and with "closed" when the caller stops reading early.
 */
export function observeStream<Item>(
  stream: AsyncIterable<Item> & { controller?: AbortController },
  onItem: (item: Item) => void,
  onEnd: (outcome: { error?: unknown; closedEarly?: boolean }) => void,
): AsyncIterable<Item> {
  let ended = false;
  const end = (outcome: { error?: unknown; closedEarly?: boolean }) => {
    if (ended) return;
    ended = true;
    try {
      onEnd(outcome);
    } catch {
      // Telemetry must never break the host's stream.
    }
  };
  async function* observed(): AsyncGenerator<Item> {
    try {
      for await (const item of stream) {
        yield item;
        try {
          onItem(item);
        } catch {
          // A bad chunk for telemetry is not a bad chunk for the app.
        }
      }
      // The SDKs end a stream quietly when its controller is aborted; the call was still cut off.
      const signal = stream.controller?.signal;
      end(signal?.aborted ? { error: abortError(signal.reason) } : {});
    } catch (error) {
      end({ error });
      throw error;
    } finally {
      end({ closedEarly: true });
    }
  }
  const StreamClass = stream.constructor as new (
    iterator: () => AsyncIterator<Item>,
    controller: AbortController | undefined,
    client?: unknown,
  ) => AsyncIterable<Item>;
  return new StreamClass(observed, stream.controller, (stream as { _client?: unknown })._client);
}

/** The abort's reason as an error, so the span's error.type names it (usually AbortError). */
function abortError(reason: unknown): unknown {
  if (reason instanceof Error) return reason;
  const error = new Error("the stream was aborted");
  error.name = "AbortError";
  return error;
}
