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
      end({});
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
