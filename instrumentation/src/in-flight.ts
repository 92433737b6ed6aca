import { diag } from "@opentelemetry/api";

/**
 * Work for a call that can wait until its request is on the wire: starting its span, with the
 * prompt fingerprint. An LLM request leaves the process idle for a round trip (hundreds of
 * milliseconds in production), so work done then adds nothing to the app's latency; work done
 * before the request is sent adds to every call. Everything queued here is also done on
 * demand, at once, whenever something needs it earlier (a response that arrives first, a
 * failure, a guard stop), so nothing depends on when the queue runs.
 */
interface InFlightWork {
  /** Does the deferred work; a second call does nothing. */
  settleStart(): void;
}

const queue: InFlightWork[] = [];
let scheduled = false;

/**
 * Past this many queued calls the queue is worked off at once. Only a burst that never yields
 * to the event loop gets here (a fetch that answers in the same turn, called in a loop, as in
 * tests and evaluation harnesses); without the bound, every call in it, prompt included,
 * would be held until the loop came round.
 */
export const MOST_QUEUED = 256;

/**
 * Queues `work` for the event loop's next check phase. By then the SDK has sent the request:
 * it builds and writes the request in promise continuations, which all run before it.
 */
export function whileInFlight(work: InFlightWork): void {
  if (queue.length >= MOST_QUEUED) drain();
  queue.push(work);
  if (scheduled) return;
  scheduled = true;
  setImmediate(drain);
}

function drain(): void {
  scheduled = false;
  for (const work of queue.splice(0)) {
    try {
      work.settleStart();
    } catch (error) {
      // Telemetry must never take the app down; the call itself is unaffected.
      diag.error("burnrate: could not start an LLM call's span", error);
    }
  }
}
