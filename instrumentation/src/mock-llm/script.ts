import { type MockReply, parseMockReply, parseReplyHeader } from "./reply.js";
import type { MockRoute } from "./routes.js";

/**
 * The replies a test has scripted. For each request the first match wins:
 *
 * 1. the oldest queued reply whose route matches (a reply queued without a route matches all);
 * 2. the request's `x-mock-llm` header;
 * 3. the reply set with {@link ReplyScript.setDefault};
 * 4. the built-in default: `{}`, a short text with estimated usage.
 *
 * A header beats the default because it is the more specific of the two: a benchmark can set
 * a default pacing and still script one request's error by header.
 */
export class ReplyScript {
  #queue: { reply: MockReply; route: MockRoute | undefined }[] = [];
  #default: MockReply | undefined;

  /**
   * Queues a reply for the next matching request.
   *
   * @throws MockReplyError when the reply is invalid, so a bad script fails at the call that wrote it.
   */
  enqueue(reply: MockReply, route?: MockRoute): void {
    this.#queue.push({ reply: parseMockReply(reply), route });
  }

  /**
   * Sets the reply for requests nothing else scripts.
   *
   * @throws MockReplyError when the reply is invalid.
   */
  setDefault(reply: MockReply): void {
    this.#default = parseMockReply(reply, "default reply");
  }

  /** Replies still queued, for a test to assert its script was used up. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Picks the reply for one request, consuming it if it was queued.
   *
   * @throws MockReplyError when nothing is queued for the route and the request's
   *   `x-mock-llm` header holds an invalid reply.
   */
  take(route: MockRoute, header: string | string[] | undefined): MockReply {
    const queued = this.#queue.findIndex((entry) => entry.route === undefined || entry.route === route);
    if (queued >= 0) return this.#queue.splice(queued, 1)[0]!.reply;
    return parseReplyHeader(header) ?? this.#default ?? {};
  }

  /** Forgets queued replies and the default. */
  clear(): void {
    this.#queue = [];
    this.#default = undefined;
  }
}
