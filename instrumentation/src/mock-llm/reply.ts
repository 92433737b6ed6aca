import { z } from "zod";

/** Token counts a scripted reply reports, in Burnrate's provider-neutral meaning. */
export interface MockUsage {
  /** The whole prompt, cache reads and cache writes included (OpenAI `prompt_tokens`). */
  input?: number;
  /** All output, reasoning included (OpenAI `completion_tokens`). */
  output?: number;
  /** Prompt tokens served from the provider's cache; part of `input`. */
  cacheRead?: number;
  /** Prompt tokens written to the provider's cache; part of `input`. */
  cacheWrite?: number;
  /**
   * Of `cacheWrite`, the tokens written to a one-hour cache, which Anthropic bills at twice the
   * input price (the rest are five-minute writes). Sent in Anthropic's `cache_creation`; the
   * OpenAI routes ignore it.
   */
  cacheWrite1h?: number;
  /** Reasoning (thinking) tokens; part of `output`. */
  reasoning?: number;
  /**
   * Of `input`, the audio tokens, which audio models (`gpt-audio`) bill at their own price. Sent
   * as Chat Completions' `prompt_tokens_details.audio_tokens`; the Responses and Anthropic
   * usage objects have no audio count, so those routes ignore it.
   */
  audioInput?: number;
  /** Of `output`, the audio tokens; Chat Completions' `completion_tokens_details.audio_tokens`. */
  audioOutput?: number;
  /**
   * Server-side web searches, billed per search: Anthropic's `server_tool_use.web_search_requests`
   * and one Responses `web_search_call` item each. Chat Completions reports no count and ignores it.
   */
  webSearches?: number;
}

/** One tool call the mock model makes. */
export interface MockToolCall {
  name: string;
  /** An object is sent as its JSON; a string is sent verbatim, so tests can send broken JSON. */
  arguments: Record<string, unknown> | string;
  /** Defaults to a generated, provider-styled id (`call_…`, `toolu_…`). */
  id?: string;
}

/** An error the mock answers with instead of a completion, in the provider's own error shape. */
export interface MockError {
  /** HTTP status, 400–599. */
  status: number;
  /** Provider error type; defaults to the provider's usual type for the status. */
  type?: string;
  message?: string;
  /** Seconds, sent as the `retry-after` header. */
  retryAfter?: number;
}

/**
 * A failure the provider reports inside a stream that has already begun, in place of its
 * remaining events. Every SSE event counts towards `afterChunks`, as with `cutAfterChunks`.
 */
export interface MockStreamError {
  /** How many of the stream's events are sent before the failure. */
  afterChunks: number;
  /**
   * Anthropic's error type (default `overloaded_error`), the Responses error `code` (default
   * `server_error`), or the Chat Completions error type (default `server_error`).
   */
  type?: string;
  message?: string;
}

/**
 * How the mock answers one request. Every field is optional; an empty reply gives a short
 * default text with usage estimated from the request.
 *
 * @example
 * server.enqueue({ text: "Paris.", usage: { input: 37_000, cacheRead: 30_000, output: 12 } });
 * server.enqueue({ error: { status: 429, retryAfter: 1 } }, "anthropic.messages");
 */
export interface MockReply {
  /** Assistant text. Omitted with `toolCalls` present means a tool-calls-only answer. */
  text?: string;
  toolCalls?: MockToolCall[];
  usage?: MockUsage;
  /** The model the response names; defaults to echoing the request's `model`. */
  model?: string;
  error?: MockError;
  /** Wait before the first byte (headers) is sent. */
  latencyMs?: number;
  /** Wait between stream events. */
  chunkDelayMs?: number;
  /** How many pieces text and tool-call arguments are split into when streamed; default 4. */
  chunks?: number;
  /**
   * Destroy the socket after this many stream events, to test cut-off streams; the SDK
   * stream then throws. Every SSE event counts (OpenAI's role chunk, Anthropic's `ping`);
   * a stream with no more events than this ends normally. Ignored without streaming.
   */
  cutAfterChunks?: number;
  /**
   * Send the headers and half of the JSON body, then destroy the socket, to test a connection
   * lost while the SDK reads a non-streaming body; the SDK's read then fails. Ignored when streaming.
   */
  cutBody?: boolean;
  /**
   * The service tier an OpenAI response reports. Defaults to the request's own tier (`flex`,
   * `priority`, `default`), or `default`; set it to `default` on a `priority` request to act out
   * OpenAI serving it at standard rates when priority capacity runs out.
   */
  serviceTier?: string;
  /**
   * Thinking before the answer. Anthropic: a `thinking` block ahead of the text, streamed as
   * `thinking_delta` pieces and a `signature_delta`. OpenAI Responses: a `reasoning` item
   * whose summary is this text, streamed as `response.reasoning_summary_text.delta` pieces.
   * Counted as output when `usage.output` is estimated. Chat Completions does not send it.
   */
  thinking?: string;
  /**
   * End a stream with the provider's own in-stream failure: Anthropic's `error` event and a
   * Chat Completions chunk carrying `error` (the SDK stream then throws), or a Responses
   * `response.failed` event whose response carries the error and the usage (the SDK stream
   * yields it and ends normally). Ignored without streaming.
   */
  streamError?: MockStreamError;
  /**
   * Start a Chat Completions stream as Azure OpenAI does: with a chunk of prompt filter results
   * whose `id`, `model` and `object` are empty strings and whose `choices` are empty. It counts
   * as an event for `cutAfterChunks` and `streamError`. The other routes ignore it.
   */
  azureFilterChunk?: boolean;
  /**
   * For a Responses request with `background: true`: how many `GET /v1/responses/{id}` answer
   * `in_progress` before the finished response; default 0. The create call answers `queued`.
   */
  backgroundPolls?: number;
}

const count = z.number().int().nonnegative();
const milliseconds = z.number().nonnegative().max(600_000);

const usageSchema = z
  .strictObject({
    input: count.optional(),
    output: count.optional(),
    cacheRead: count.optional(),
    cacheWrite: count.optional(),
    cacheWrite1h: count.optional(),
    reasoning: count.optional(),
    audioInput: count.optional(),
    audioOutput: count.optional(),
    webSearches: count.optional(),
  })
  // Anthropic reports the uncached part (input − cacheRead − cacheWrite), which must not go negative.
  .refine((u) => u.input === undefined || (u.cacheRead ?? 0) + (u.cacheWrite ?? 0) <= u.input, {
    message: "cacheRead + cacheWrite must not exceed input (input is the whole prompt, cache included)",
    path: ["input"],
  })
  // Anthropic reports the five-minute part (cacheWrite − cacheWrite1h), which must not go negative.
  .refine((u) => (u.cacheWrite1h ?? 0) <= (u.cacheWrite ?? 0), {
    message:
      "cacheWrite1h must not exceed cacheWrite (cacheWrite is all cache writes, one-hour ones included)",
    path: ["cacheWrite1h"],
  })
  .refine((u) => u.output === undefined || (u.reasoning ?? 0) <= u.output, {
    message: "reasoning must not exceed output (output includes reasoning)",
    path: ["output"],
  })
  // Audio is part of the counts it belongs to; an estimated count is raised to hold it.
  .refine((u) => u.input === undefined || (u.audioInput ?? 0) <= u.input, {
    message: "audioInput must not exceed input (input includes audio)",
    path: ["audioInput"],
  })
  .refine((u) => u.output === undefined || (u.audioOutput ?? 0) <= u.output, {
    message: "audioOutput must not exceed output (output includes audio)",
    path: ["audioOutput"],
  });

const replySchema: z.ZodType<MockReply> = z.strictObject({
  text: z.string().optional(),
  toolCalls: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        arguments: z.union([z.record(z.string(), z.unknown()), z.string()]),
        id: z.string().min(1).optional(),
      }),
    )
    .optional(),
  usage: usageSchema.optional(),
  model: z.string().min(1).optional(),
  error: z
    .strictObject({
      status: z.number().int().min(400).max(599),
      type: z.string().min(1).optional(),
      message: z.string().optional(),
      retryAfter: z.number().nonnegative().optional(),
    })
    .optional(),
  latencyMs: milliseconds.optional(),
  chunkDelayMs: milliseconds.optional(),
  chunks: z.number().int().min(1).max(100_000).optional(),
  cutAfterChunks: count.optional(),
  cutBody: z.boolean().optional(),
  serviceTier: z.string().min(1).optional(),
  thinking: z.string().optional(),
  streamError: z
    .strictObject({
      afterChunks: count,
      type: z.string().min(1).optional(),
      message: z.string().optional(),
    })
    .optional(),
  azureFilterChunk: z.boolean().optional(),
  backgroundPolls: count.max(10_000).optional(),
});

/** A scripted reply failed validation; the message names each bad field. */
export class MockReplyError extends Error {
  override readonly name = "MockReplyError";
}

/**
 * Validates a scripted reply, so a typo in a test (`latency` for `latencyMs`) fails loudly
 * instead of silently using defaults.
 *
 * @throws MockReplyError naming every invalid field.
 */
export function parseMockReply(value: unknown, source = "reply"): MockReply {
  const result = replySchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    return `${field}: ${issue.message}`;
  });
  throw new MockReplyError(`mock-llm: invalid ${source}: ${problems.join("; ")}`);
}

/**
 * Reads a reply from the `x-mock-llm` request header, or `undefined` when it is absent.
 *
 * @throws MockReplyError when the header is not JSON or not a valid reply.
 */
export function parseReplyHeader(header: string | string[] | undefined): MockReply | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(",") : header;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MockReplyError(`mock-llm: invalid x-mock-llm header: not JSON: ${text.slice(0, 200)}`);
  }
  return parseMockReply(value, "x-mock-llm header");
}
