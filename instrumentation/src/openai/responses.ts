import type { TokenUsage } from "@burnrate/core";
import { messagesText } from "../estimate.js";
import type { CallResult, LlmCall } from "../llm-call.js";
import { settle } from "../settle.js";
import { observeStream } from "../stream.js";
import type { MethodTelemetry } from "../wrap.js";

interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}

interface ResponseObject {
  id?: string;
  model?: string;
  status?: string;
  service_tier?: string | null;
  usage?: ResponsesUsage | null;
  output?: { type?: string; name?: string; arguments?: string; content?: unknown }[];
}

function responsesUsage(usage: ResponsesUsage | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  // Like Chat Completions, input_tokens already includes the cached tokens.
  return {
    input: usage.input_tokens ?? 0,
    output: usage.output_tokens ?? 0,
    cacheRead: usage.input_tokens_details?.cached_tokens ?? 0,
    cacheWrite: 0,
    reasoning: usage.output_tokens_details?.reasoning_tokens ?? 0,
  };
}

function resultOf(response: ResponseObject): CallResult {
  return {
    responseId: response.id,
    responseModel: response.model,
    servedTier: response.service_tier ?? undefined,
    finishReasons: response.status ? [response.status] : [],
    usage: responsesUsage(response.usage),
    toolCalls: (response.output ?? [])
      .filter((item) => item.type === "function_call")
      .map((item) => ({ name: item.name ?? "", arguments: item.arguments })),
    outputMessages: response.output,
  };
}

/** The event types that carry the final response, usage included. */
const FINAL_EVENTS = new Set(["response.completed", "response.incomplete", "response.failed"]);

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
      prompt: { model, messages: body.input, tools: body.tools, system: body.instructions },
      inputMessages: body.input,
    };
  },

  finish(call, response) {
    call.finish(resultOf(response as ResponseObject));
  },

  observe(call: LlmCall, stream, body) {
    let final: ResponseObject | undefined;
    let text = "";
    return observeStream(
      stream as AsyncIterable<unknown> & { controller?: AbortController },
      (item) => {
        const event = item as { type?: string; delta?: string; response?: ResponseObject };
        if (event.type === "response.output_text.delta" && event.delta) text += event.delta;
        if (event.type === "response.function_call_arguments.delta" && event.delta) text += event.delta;
        if (event.type && FINAL_EVENTS.has(event.type) && event.response) final = event.response;
      },
      (outcome) => {
        const result = final ? resultOf(final) : { outputMessages: [{ type: "message", content: text }] };
        settle(
          call,
          result,
          outcome,
          Date.now(),
          () => `${messagesText(body.input)}\n${body.instructions ?? ""}`,
          () => text,
        );
      },
    );
  },
};
