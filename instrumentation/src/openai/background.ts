import type { CallResult, LlmCall } from "../llm-call.js";

/** What a background response's create call and later retrieves of it are handed. */
export interface BackgroundResponse {
  id?: string;
  status?: string;
}

/** Statuses of a background response still running: its usage is not known yet. */
const RUNNING = new Set(["queued", "in_progress"]);

/** Background calls held at most; past this the oldest is ended as it was last seen. */
export const MOST_PENDING = 1_000;

/**
 * Background responses (`responses.create({ background: true })`) this process started and has
 * not yet seen finish, by response id, oldest first. The create call answers at once with the
 * response queued and no usage; the tokens are billed as it runs, and only a later
 * `responses.retrieve()` (parsed, raw or streamed) or `cancel()` of the ended response reports
 * them. The call's span
 * stays open until then, so the one span carries the usage and cost, and the local guard
 * counts them, once.
 */
const pending = new Map<string, { call: LlmCall; lastSeen: CallResult }>();
let endingAtExit = false;

/**
 * Keeps `call` open when `response` is a background response still running; returns false,
 * keeping nothing, for any other response. `result` is what the response says so far.
 */
export function awaitBackground(call: LlmCall, response: BackgroundResponse, result: CallResult): boolean {
  if (!response.id || !RUNNING.has(response.status ?? "")) return false;
  if (pending.size >= MOST_PENDING) {
    const [oldest, entry] = pending.entries().next().value!;
    pending.delete(oldest);
    entry.call.finish(entry.lastSeen);
  }
  pending.set(response.id, { call, lastSeen: result });
  if (!endingAtExit) {
    endingAtExit = true;
    // First in line, so the spans it ends are in the flush that the tracing setup runs then.
    process.prependListener("beforeExit", endPendingBackground);
  }
  return true;
}

/** True while any background response this process started is still awaited. */
export function hasPendingBackground(): boolean {
  return pending.size > 0;
}

/**
 * Reads a response the app retrieved: once a background response this
 * process started has finished, its call ends with the finished response's usage. A read of
 * any other response, or of one still running, changes nothing.
 */
export function settleBackground(
  response: unknown,
  finish: (call: LlmCall, response: unknown) => void,
): void {
  const read = response as BackgroundResponse | null;
  const id = read?.id;
  if (typeof id !== "string" || RUNNING.has(read!.status ?? "")) return;
  const entry = pending.get(id);
  if (!entry) return;
  pending.delete(id);
  finish(entry.call, response);
}

/**
 * Ends every background call still waiting, as it was last seen (no usage): the app is exiting
 * without having read them finished, and a span never ended is never sent.
 */
export function endPendingBackground(): void {
  for (const [id, entry] of pending) {
    pending.delete(id);
    entry.call.finish(entry.lastSeen);
  }
}
