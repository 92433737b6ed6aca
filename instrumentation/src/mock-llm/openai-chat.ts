import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageFunctionToolCall,
} from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { field, type RenderContext } from "./render-context.js";
import type { PlannedUsage } from "./reply-plan.js";
import type { SseEvent } from "./sse.js";

// The wire shapes are typed with the openai package's own declarations, so a drift between
// this mock and what the SDK parses shows up as a compile error here.

/** The parts of a Chat Completions request that count as prompt. */
export function chatPrompt(body: unknown): unknown {
  return field(body, "messages");
}

/**
 * Renders a non-streaming `chat.completion` object.
 *
 * @example
 * renderChatCompletion(ctx).usage // { prompt_tokens: 37000, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 30000, … }, … }
 */
export function renderChatCompletion(ctx: RenderContext): ChatCompletion {
  const { plan } = ctx;
  const toolCalls = plan.toolCalls.map(
    (call): ChatCompletionMessageFunctionToolCall => ({
      id: call.id ?? ctx.newId("call_"),
      type: "function",
      function: { name: call.name, arguments: call.argumentsJson },
    }),
  );
  return {
    id: ctx.newId("chatcmpl-"),
    object: "chat.completion",
    created: ctx.createdAt,
    model: plan.model,
    choices: [
      {
        index: 0,
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
      },
    ],
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
 * with the real API.
 */
export function renderChatCompletionStream(ctx: RenderContext): SseEvent[] {
  const { plan } = ctx;
  const includeUsage = field(field(ctx.body, "stream_options"), "include_usage") === true;
  const id = ctx.newId("chatcmpl-");
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
  const delta = (d: ChatCompletionChunk.Choice.Delta): SseEvent =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: null }]);

  const events: SseEvent[] = [
    delta({ role: "assistant", content: plan.text === null ? null : "", refusal: null }),
  ];
  if (plan.text !== null) {
    for (const piece of plan.textPieces) events.push(delta({ content: piece }));
  }
  for (const [index, call] of plan.toolCalls.entries()) {
    events.push(
      delta({
        tool_calls: [
          {
            index,
            id: call.id ?? ctx.newId("call_"),
            type: "function",
            function: { name: call.name, arguments: "" },
          },
        ],
      }),
    );
    for (const piece of call.argumentPieces) {
      events.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  }
  events.push(
    chunk([
      {
        index: 0,
        delta: {},
        logprobs: null,
        finish_reason: plan.toolCalls.length > 0 ? "tool_calls" : "stop",
      },
    ]),
  );
  if (includeUsage) {
    events.push(chunk([], chatUsage(plan.usage)));
  }
  events.push({ data: "[DONE]" });
  return events;
}

/**
 * Maps usage to OpenAI's `CompletionUsage`: `prompt_tokens` is the whole prompt with
 * `cached_tokens` inside it, and `completion_tokens` includes `reasoning_tokens`.
 */
export function chatUsage(usage: PlannedUsage): CompletionUsage {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: {
      cached_tokens: usage.cacheRead,
      audio_tokens: 0,
      // OpenAI only reports cache writes where they happen; an absent field means none.
      ...(usage.cacheWrite > 0 ? { cache_write_tokens: usage.cacheWrite } : {}),
    },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
