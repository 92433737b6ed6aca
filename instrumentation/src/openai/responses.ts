import type { TokenUsage } from "@burnrate/core";
import { messagesText } from "../estimate.js";
import type { CallResult, LlmCall } from "../llm-call.js";
import { type ReportedFailure, settle } from "../settle.js";
import { observeStream } from "../stream.js";
import type { BodyWatcher, MethodTelemetry } from "../wrap.js";
import { awaitBackground, hasPendingBackground, settleBackground } from "./background.js";
import { openAiUsage } from "./usage.js";

interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}

/** An output item: a message, a function call, a web search, and so on. */
interface OutputItem {
  type?: string;
  name?: string;
  arguments?: string;
  content?: unknown;
  /** A `web_search_call`'s action: `search`, `open_page` or `find_in_page`. */
  action?: { type?: string } | null;
}

interface ResponseObject {
  id?: string;
  model?: string;
  status?: string;
  service_tier?: string | null;
  usage?: ResponsesUsage | null;
  output?: OutputItem[];
  /** Set on a failed response. */
  error?: { code?: string | null; type?: string | null; message?: string } | null;
}

function responsesUsage(usage: ResponsesUsage | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  // Like Chat Completions, input_tokens already includes the tokens read from and written to the cache.
  const details = usage.input_tokens_details;
  return openAiUsage({
    input: usage.input_tokens ?? 0,
    output: usage.output_tokens ?? 0,
    cacheRead: details?.cached_tokens ?? 0,
    cacheWrite: details?.cache_write_tokens ?? 0,
    reasoning: usage.output_tokens_details?.reasoning_tokens ?? 0,
  });
}

/**
 * The web searches a response ran that OpenAI bills: its web search tool is charged per call
 * (genai-prices: $10 per 1,000 for gpt-4o, gpt-4.1, gpt-5, o3 and others), and OpenAI's web
 * search guide says it is the `search` actions that incur that cost, not `open_page` or
 * `find_in_page`. A `web_search_call` with no action is from before actions were reported,
 * when each one was a search.
 */
export function webSearchCount(output: readonly OutputItem[] | undefined): number {
  let searches = 0;
  for (const item of output ?? []) {
    if (item.type !== "web_search_call") continue;
    const action = item.action?.type;
    if (action === undefined || action === "search") searches++;
  }
  return searches;
}

function resultOf(response: ResponseObject): CallResult {
  const usage = responsesUsage(response.usage);
  const searches = usage ? webSearchCount(response.output) : 0;
  if (usage && searches > 0) usage.webSearches = searches;
  return {
    responseId: response.id,
    responseModel: response.model,
    servedTier: response.service_tier ?? undefined,
    finishReasons: response.status ? [response.status] : [],
    usage,
    toolCalls: (response.output ?? [])
      .filter((item) => item.type === "function_call")
      .map((item) => ({ name: item.name ?? "", arguments: item.arguments })),
    outputMessages: response.output,
  };
}

/**
 * The failure a `failed` response reports. Its error code becomes `error.type`, as the
 * OpenTelemetry conventions prefer a provider's own code; a failure without one gets `_OTHER`,
 * the conventions' value for an error of no known type.
 */
function failureOf(response: ResponseObject): ReportedFailure | undefined {
  if (response.status !== "failed") return undefined;
  const error = response.error;
  return { type: error?.code || error?.type || "_OTHER", message: error?.message };
}

/**
 * Deltas of other text the model writes, billed as output like the answer: reasoning and its
 * summary, refusals, and tool input. Read only to estimate a cut stream's output.
 */
const OTHER_OUTPUT_DELTAS = new Set([
  "response.reasoning_summary_text.delta",
  "response.reasoning_text.delta",
  "response.refusal.delta",
  "response.custom_tool_call_input.delta",
  "response.code_interpreter_call_code.delta",
  "response.mcp_call_arguments.delta",
  "response.shell_call_command.delta",
]);

/** The event types that carry the final response, usage included. */
const FINAL_EVENTS = new Set(["response.completed", "response.incomplete", "response.failed"]);

/**
 * What the model is sent as messages: the input, after the stored conversation that
 * `previous_response_id` continues. Two turns that both say "continue" to different earlier
 * responses send different conversations, so their prompts differ, as the fingerprint's
 * contract says (same fingerprint, same thing sent); the id stands for the history it names.
 */
function promptMessages(body: Record<string, unknown>): unknown {
  const previous = body.previous_response_id;
  return typeof previous === "string" && previous !== "" ? { previous, input: body.input } : body.input;
}

/** Ends a call with a finished response: its usage, and its failure if it failed. */
function finishResponse(call: LlmCall, response: unknown): void {
  const failure = failureOf(response as ResponseObject);
  if (failure) call.reportFailure(failure.type, failure.message);
  call.finish(resultOf(response as ResponseObject));
}

/**
 * `responses.retrieve` (plain, streamed or read raw) and `responses.cancel`: no model call of
 * their own, but the way a background response's usage is learnt once it has ended.
 */
export const responseReads: BodyWatcher = {
  watch(body) {
    if (!hasPendingBackground()) return;
    const stream = body as AsyncIterable<unknown> & { controller?: AbortController };
    if (typeof stream?.[Symbol.asyncIterator] !== "function") {
      settleBackground(body, finishResponse);
      return;
    }
    // A streamed retrieve (`{ stream: true }`), as a background response is resumed: its
    // final event carries the finished response.
    observeStream(
      stream,
      (item) => {
        const event = item as { type?: string; response?: unknown };
        if (event.type && FINAL_EVENTS.has(event.type)) settleBackground(event.response, finishResponse);
      },
      () => {},
    );
  },
};

/** `responses.create`, streaming or not. */
export const responses: MethodTelemetry = {
  streams: (body) => body.stream === true,

  start(body) {
    const model = String(body.model ?? "");
    return {
      provider: "openai",
      operation: "chat",
      requestModel: model,
      serviceTier: typeof body.service_tier === "string" ? body.service_tier : undefined,
      prompt: { model, messages: promptMessages(body), tools: body.tools, system: body.instructions },
      inputMessages: body.input,
    };
  },

  finish(call, response) {
    const result = resultOf(response as ResponseObject);
    // A background response answers queued; its usage comes with a later retrieve (background.ts).
    if (awaitBackground(call, response as ResponseObject, result)) return;
    finishResponse(call, response);
  },

  observe(call: LlmCall, stream, body) {
    let final: ResponseObject | undefined;
    // The response as first announced (response.created), for a stream cut before its final event.
    let id: string | undefined;
    let model: string | undefined;
    let text = "";
    let otherOutput = "";
    return observeStream(
      stream as AsyncIterable<unknown> & { controller?: AbortController },
      (item) => {
        const event = item as { type?: string; delta?: string; response?: ResponseObject };
        if (event.delta) {
          if (
            event.type === "response.output_text.delta" ||
            event.type === "response.function_call_arguments.delta"
          )
            text += event.delta;
          else if (OTHER_OUTPUT_DELTAS.has(event.type!)) otherOutput += event.delta;
        }
        if (event.response) {
          id ||= event.response.id || undefined;
          model ||= event.response.model || undefined;
          if (event.type && FINAL_EVENTS.has(event.type)) final = event.response;
        }
      },
      (outcome) => {
        const result: CallResult = final
          ? resultOf(final)
          : { responseId: id, responseModel: model, outputMessages: [{ type: "message", content: text }] };
        // The SDK yields response.failed and ends the stream normally; the call still failed.
        const failure = final && failureOf(final);
        settle(
          call,
          result,
          outcome,
          performance.now(),
          {
            inputText: () => `${messagesText(body.input)}\n${body.instructions ?? ""}`,
            outputText: () => `${otherOutput}${text}`,
          },
          failure,
        );
      },
    );
  },
};
