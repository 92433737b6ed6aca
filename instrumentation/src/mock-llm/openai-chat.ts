import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageFunctionToolCall,
} from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { field, type RenderContext } from "./render-context.js";
import type { PlannedUsage } from "./reply-plan.js";
import { failAfter, type SseEvent } from "./sse.js";

// The wire shapes are typed with the openai package's own declarations, so a drift between
// this mock and what the SDK parses shows up as a compile error here.

/** The parts of a Chat Completions request that count as prompt. */
export function chatPrompt(body: unknown): unknown {
  return field(body, "messages");
}

/**
 * How many choices the request asks for (`n`), as the API answers: each choice carries the
 * scripted text and tool calls, and the usage is the scripted one.
 */
export function choiceCount(body: unknown): number {
  const n = field(body, "n");
  return typeof n === "number" && Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_CHOICES) : 1;
}

/** The API's own limit on `n`. */
const MAX_CHOICES = 128;

/**
 * Renders a non-streaming `chat.completion` object, with one choice per `n`.
 *
 * @example
 * renderChatCompletion(ctx).usage // { prompt_tokens: 37000, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 30000, … }, … }
 */
export function renderChatCompletion(ctx: RenderContext): ChatCompletion {
  const { plan } = ctx;
  const choices = Array.from({ length: choiceCount(ctx.body) }, (_, index): ChatCompletion.Choice => {
    const toolCalls = plan.toolCalls.map(
      (call): ChatCompletionMessageFunctionToolCall => ({
        id: call.id ?? ctx.newId("call_"),
        type: "function",
        function: { name: call.name, arguments: call.argumentsJson },
      }),
    );
    return {
      index,
      message: {
        role: "assistant",
        content: plan.text,
        refusal: null,
        annotations: [],
        // The real API omits `tool_calls` when there are none; SDK helpers check for presence.
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      },
      logprobs: null,
      finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
    };
  });
  return {
    id: ctx.newId("chatcmpl-"),
    object: "chat.completion",
    created: ctx.createdAt,
    model: plan.model,
    choices,
    usage: chatUsage(plan.usage),
    service_tier: plan.serviceTier as ChatCompletion["service_tier"],
    system_fingerprint: "fp_mock",
  };
}

/**
 * Renders a Chat Completions stream: a role chunk, content deltas, tool-call deltas (first
 * with `id` and `function.name`, then `arguments` pieces), a chunk with `finish_reason`,
 * with `stream_options.include_usage` a final chunk with empty `choices` and the usage,
 * and the `[DONE]` sentinel. Without `include_usage` no chunk carries a `usage` key, as
 * with the real API. With `n` > 1 the choices' chunks take turns, as the API interleaves them.
 * `azureFilterChunk` puts Azure's prompt-filter chunk first; a scripted `streamError`
 * replaces the chunks after it with a chunk carrying `error`.
 */
export function renderChatCompletionStream(ctx: RenderContext): SseEvent[] {
  const { plan } = ctx;
  const includeUsage = field(field(ctx.body, "stream_options"), "include_usage") === true;
  const id = ctx.newId("chatcmpl-");
  const choices = Array.from({ length: choiceCount(ctx.body) }, (_, index) => index);
  const chunk = (choices: ChatCompletionChunk["choices"], usage: CompletionUsage | null = null): SseEvent => {
    const data: ChatCompletionChunk = {
      id,
      object: "chat.completion.chunk",
      created: ctx.createdAt,
      model: plan.model,
      service_tier: plan.serviceTier as ChatCompletion["service_tier"],
      system_fingerprint: "fp_mock",
      choices,
      // With include_usage the real API sends `usage: null` on every chunk but the last.
      ...(includeUsage ? { usage } : {}),
    };
    return { data };
  };
  const delta = (index: number, d: ChatCompletionChunk.Choice.Delta): SseEvent =>
    chunk([{ index, delta: d, logprobs: null, finish_reason: null }]);

  const events: SseEvent[] = [];
  if (plan.azureFilterChunk) events.push(azureFilterChunk());
  for (const index of choices) {
    events.push(delta(index, { role: "assistant", content: plan.text === null ? null : "", refusal: null }));
  }
  if (plan.text !== null) {
    for (const piece of plan.textPieces) {
      for (const index of choices) events.push(delta(index, { content: piece }));
    }
  }
  for (const [at, call] of plan.toolCalls.entries()) {
    for (const index of choices) {
      const start = { index: at, id: call.id ?? ctx.newId("call_"), type: "function" as const };
      events.push(delta(index, { tool_calls: [{ ...start, function: { name: call.name, arguments: "" } }] }));
    }
    for (const piece of call.argumentPieces) {
      for (const index of choices) {
        events.push(delta(index, { tool_calls: [{ index: at, function: { arguments: piece } }] }));
      }
    }
  }
  const finishReason = plan.toolCalls.length > 0 ? "tool_calls" : "stop";
  for (const index of choices) {
    events.push(chunk([{ index, delta: {}, logprobs: null, finish_reason: finishReason }]));
  }
  if (includeUsage) {
    events.push(chunk([], chatUsage(plan.usage)));
  }
  events.push({ data: "[DONE]" });
  const failure = plan.streamError;
  if (!failure) return events;
  const error = {
    message: failure.message ?? "The server had an error while processing your request.",
    type: failure.type ?? "server_error",
    param: null,
    code: null,
  };
  return failAfter(events, failure.afterChunks, { data: { error } });
}

/**
 * Azure OpenAI's first chunk: the prompt's content-filter results, with no choices and empty
 * `id`, `model` and `object`, before the chunks of the completion itself.
 */
function azureFilterChunk(): SseEvent {
  return {
    data: {
      choices: [],
      created: 0,
      id: "",
      model: "",
      object: "",
      prompt_filter_results: [
        {
          prompt_index: 0,
          content_filter_results: {
            hate: { filtered: false, severity: "safe" },
            self_harm: { filtered: false, severity: "safe" },
            sexual: { filtered: false, severity: "safe" },
            violence: { filtered: false, severity: "safe" },
          },
        },
      ],
    },
  };
}

/**
 * Maps usage to OpenAI's `CompletionUsage`: `prompt_tokens` is the whole prompt with
 * `cached_tokens` and `audio_tokens` inside it, and `completion_tokens` includes
 * `reasoning_tokens` and its own `audio_tokens`. Chat Completions reports no web-search count.
 */
export function chatUsage(usage: PlannedUsage): CompletionUsage {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: {
      cached_tokens: usage.cacheRead,
      audio_tokens: usage.audioInput,
      // OpenAI only reports cache writes where they happen; an absent field means none.
      ...(usage.cacheWrite > 0 ? { cache_write_tokens: usage.cacheWrite } : {}),
    },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoning,
      audio_tokens: usage.audioOutput,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
