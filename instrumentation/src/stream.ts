import { BurnrateStopError } from "./errors.js";

/** The parts of the SDKs' Stream class (openai, @anthropic-ai/sdk) this module uses. */
type SdkStream<Item> = AsyncIterable<Item> & {
  controller?: AbortController;
  /** Where the SDK's Stream keeps the function its `[Symbol.asyncIterator]()` and `tee()` call. */
  iterator?: () => AsyncIterator<Item>;
};

type Outcome = { error?: unknown; closedEarly?: boolean };

/**
 * How a stream's call ends, once, and the item the caller was last given, which telemetry
 * reads when the caller asks for the next one (or when the stream ends first). Holds no
 * reference to the stream (see `dropped`).
 */
interface Ending {
  ended: boolean;
  /** The stream's abort signal, so a stream ended while abandoned says whether it was aborted. */
  signal: AbortSignal | undefined;
  onItem: (item: unknown) => void;
  onEnd: (outcome: Outcome) => void;
  pending: boolean;
  given: unknown;
}

function readGiven(ending: Ending): void {
  if (!ending.pending) return;
  ending.pending = false;
  const item = ending.given;
  ending.given = undefined;
  try {
    ending.onItem(item);
  } catch {
    // A bad chunk for telemetry is not a bad chunk for the app.
  }
}

function endOnce(ending: Ending, outcome: Outcome): void {
  if (ending.ended) return;
  open.delete(ending);
  // The item the caller holds counts too: a dropped stream ends before the caller reads on.
  readGiven(ending);
  ending.ended = true;
  dropped.unregister(ending);
  try {
    ending.onEnd(outcome);
  } catch {
    // Telemetry must never break the host's stream.
  }
}

/**
 * Streams the app dropped without reading to the end: when one is garbage-collected, its call
 * ends as closed early (with an estimate of what it cost), instead of never ending at all. It
 * holds each stream's `Ending`, a plain object: a closure made next to the stream's own would
 * share their scope, keep the stream reachable, and so never let it be collected.
 */
const dropped = new FinalizationRegistry<Ending>(endAbandoned);

/**
 * Streams not yet ended. Those still open when the app's event loop empties (aborted and never
 * read again, or left unread) end then, ahead of the exit's flush of spans, since an exiting
 * process may never collect them. A Set of the same plain objects keeps no stream alive.
 */
const open = new Set<Ending>();
let endingAtExit = false;

/** Ends a stream nobody reads any more: as aborted if its controller was, else as closed early. */
function endAbandoned(ending: Ending): void {
  const signal = ending.signal;
  endOnce(ending, signal?.aborted ? { error: abortError(signal.reason) } : { closedEarly: true });
}

function endOpenStreams(): void {
  for (const ending of open) endAbandoned(ending);
}

/**
 * Makes an SDK stream report every item to telemetry after the caller has it. Telemetry
 * reads an item when the caller asks for the next one, so no chunk reaches the caller later.
 * The SDK's own Stream object is returned, its iterator wrapped in place, so `tee()`,
 * `toReadableStream()` and `controller.abort()` work as the SDK defines them (a Stream that
 * keeps no `iterator` is rebuilt around the wrapped one instead). `onEnd` runs once: with no
 * error when the stream completes, with the error when it fails or is aborted, and with
 * `closedEarly` when the caller stops reading early.
 */
export function observeStream<Item>(
  stream: SdkStream<Item>,
  onItem: (item: Item) => void,
  onEnd: (outcome: { error?: unknown; closedEarly?: boolean }) => void,
): AsyncIterable<Item> {
  const ending: Ending = {
    ended: false,
    signal: stream.controller?.signal,
    onItem: onItem as (item: unknown) => void,
    onEnd,
    pending: false,
    given: undefined,
  };
  const end = (outcome: Outcome) => endOnce(ending, outcome);
  const read = () => readGiven(ending);
  const source = typeof stream.iterator === "function" ? stream.iterator : undefined;
  const observed = (): AsyncIterator<Item> => {
    const inner = source ? source.call(stream) : stream[Symbol.asyncIterator]();
    // One pair of handlers for the whole stream, not a new pair for every chunk.
    const received = (result: IteratorResult<Item>) => {
      if (result.done) {
        // The SDKs end a stream quietly when its controller is aborted; the call was still cut off.
        const signal = stream.controller?.signal;
        if (!signal?.aborted) end({});
        else {
          const error = abortError(signal.reason);
          end({ error });
          // A kill decision stopped it (see KillSwitch.trackStream): the app is told, with the
          // typed error, rather than left to take a cut-off answer for a whole one. An abort of
          // the app's own still ends the stream quietly, as the SDK does.
          if (error instanceof BurnrateStopError) throw error;
        }
      } else if (!ending.ended) {
        ending.pending = true;
        ending.given = result.value;
      }
      return result;
    };
    const failed = (error: unknown): never => {
      end({ error });
      throw error;
    };
    return {
      next: () => {
        read();
        return inner.next().then(received, failed);
      },
      return: (value?: unknown) => {
        read();
        end({ closedEarly: true });
        return inner.return ? inner.return(value) : Promise.resolve({ done: true, value: value as Item });
      },
      throw: (error?: unknown) => {
        read();
        end({ error });
        return inner.throw ? inner.throw(error) : Promise.reject(error);
      },
    };
  };
  let handedOn: AsyncIterable<Item>;
  if (source) {
    stream.iterator = observed;
    handedOn = stream;
  } else {
    const StreamClass = stream.constructor as new (
      iterator: () => AsyncIterator<Item>,
      controller: AbortController | undefined,
      client?: unknown,
    ) => AsyncIterable<Item>;
    handedOn = new StreamClass(observed, stream.controller, (stream as { _client?: unknown })._client);
  }
  dropped.register(handedOn, ending, ending);
  open.add(ending);
  if (!endingAtExit) {
    endingAtExit = true;
    // First in line, so the spans it ends are in the flush that the tracing setup runs then.
    process.prependListener("beforeExit", endOpenStreams);
  }
  return handedOn;
}

/** The abort's reason as an error, so the span's error.type names it (usually AbortError). */
function abortError(reason: unknown): unknown {
  if (reason instanceof Error) return reason;
  const error = new Error("the stream was aborted");
  error.name = "AbortError";
  return error;
}
