import type { ReplyPlan } from "./reply-plan.js";

/**
 * What a provider format needs to render one answer. Renderers are pure: they turn this
 * into a JSON body or a list of stream events, and the server does all I/O.
 */
export interface RenderContext {
  /** The parsed request body. */
  body: Record<string, unknown>;
  plan: ReplyPlan;
  /** A server-unique id with a provider-styled prefix, e.g. `newId("chatcmpl-")` → `chatcmpl-mock7`. */
  newId(prefix: string): string;
  /** Unix seconds, as the providers' `created` fields use. */
  createdAt: number;
}

/** Reads an optional property of a loosely typed request body. */
export function field(body: unknown, key: string): unknown {
  return body !== null && typeof body === "object" ? (body as Record<string, unknown>)[key] : undefined;
}
