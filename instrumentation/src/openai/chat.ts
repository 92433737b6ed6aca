import type { TokenUsage } from "@burnrate/core";
import { messagesText } from "../estimate.js";
import type { CallResult } from "../llm-call.js";
import { settle } from "../settle.js";
import { observeStream } from "../stream.js";
import type { MethodTelemetry } from "../wrap.js";
import { openAiUsage } from "./usage.js";

/**
 * The parts of a Chat Completions usage object we read. OpenAI counts the whole prompt in
 * prompt_tokens: the tokens read from and written to the cache, and the audio, are parts of it;
 * completion_tokens holds the reasoning and the audio output.
 */
interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: {
    cached_tokens?: number;
    cache_write_tokens?: number;
    audio_tokens?: number;
  } | null;
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number } | null;
}

/**
 * A Chat Completions usage as a TokenUsage. Audio (`audio_tokens`, which audio models such as
 * `gpt-audio` bill at their own price) becomes `audioInput` and `audioOutput`, set only when
 * there is some; OpenAI sends `audio_tokens: 0` on every other call.
 */
export function chatUsage(usage: ChatUsage | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const details = usage.prompt_tokens_details;
  const completion = usage.completion_tokens_details;
  const counts = openAiUsage({
    input: usage.prompt_tokens ?? 0,
    output: usage.completion_tokens ?? 0,
    cacheRead: details?.cached_tokens ?? 0,
    cacheWrite: details?.cache_write_tokens ?? 0,
    reasoning: completion?.reasoning_tokens ?? 0,
  });
  // Read as the count itself, with no object made: this runs on every call.
  const audioInput = details?.audio_tokens;
  if (typeof audioInput === "number" && audioInput > 0)
    counts.audioInput = Math.min(audioInput, counts.input);
  const audioOutput = completion?.audio_tokens;
  if (typeof audioOutput === "number" && audioOutput > 0)
    counts.audioOutput = Math.min(audioOutput, counts.output);
  return counts;
}

interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** What one choice of a stream has said so far; `tools` by tool-call index, made on the first. */
interface StreamedChoice {
  text: string;
  tools: Map<number, { name: string; arguments: string }> | undefined;
}

const newChoice = (): StreamedChoice => ({ text: "", tools: undefined });

/** A choice's tool calls, in the order a non-streamed completion lists them. */
function toolCallsOf(choice: StreamedChoice): { name: string; arguments: string }[] {
  if (!choice.tools) return [];
  return [...choice.tools].sort(([a], [b]) => a - b).map(([, t]) => t);
}

/** `chat.completions.create`, streaming or not, with or without tool calls. */
export const chatCompletions: MethodTelemetry = {
  streams: (body) => body.stream === true,

  start(body) {
    return {
      provider: "openai",
      operation: "chat",
      requestModel: String(body.model ?? ""),
      serviceTier: typeof body.service_tier === "string" ? body.service_tier : undefined,
      prompt: { model: String(body.model ?? ""), messages: body.messages, tools: body.tools },
      inputMessages: body.messages,
    };
  },

  finish(call, completion) {
    const c = completion as {
      id?: string;
      model?: string;
      service_tier?: string | null;
      usage?: ChatUsage;
      choices?: { finish_reason?: string; message?: { tool_calls?: ToolCallDelta[] } }[];
    };
    const choices = c.choices ?? [];
    const finishReasons: string[] = [];
    const toolCalls: CallResult["toolCalls"] = [];
    for (const choice of choices) {
      if (choice.finish_reason) finishReasons.push(choice.finish_reason);
      for (const t of choice.message?.tool_calls ?? [])
        toolCalls.push({ name: t.function?.name ?? "", arguments: t.function?.arguments });
    }
    call.finish({
      responseId: c.id,
      responseModel: c.model,
      servedTier: c.service_tier ?? undefined,
      finishReasons,
      usage: chatUsage(c.usage),
      toolCalls,
      outputMessages: call.capturesContent ? choices.map((ch) => ch.message) : undefined,
    });
  },

  observe(call, stream, body) {
    const state = {
      id: undefined as string | undefined,
      model: undefined as string | undefined,
      servedTier: undefined as string | undefined,
      usage: undefined as TokenUsage | undefined,
      finishReasons: [] as string[],
      // With n > 1 each choice streams its own text and tool calls, each numbered from 0;
      // choices past the first are kept apart, made only when a stream has them.
      first: newChoice(),
      others: undefined as Map<number, StreamedChoice> | undefined,
    };
    return observeStream(
      stream as AsyncIterable<unknown> & { controller?: AbortController },
      (item) => {
        const chunk = item as {
          id?: string;
          model?: string;
          service_tier?: string | null;
          usage?: ChatUsage | null;
          choices?: {
            index?: number;
            delta?: { content?: string | null; tool_calls?: ToolCallDelta[] };
            finish_reason?: string | null;
          }[];
        };
        // Azure OpenAI's first chunk (prompt filter results) has an empty id and model.
        state.id ||= chunk.id || undefined;
        state.model ||= chunk.model || undefined;
        state.servedTier ??= chunk.service_tier ?? undefined;
        if (chunk.usage) state.usage = chatUsage(chunk.usage);
        for (const choice of chunk.choices ?? []) {
          const index = choice.index ?? 0;
          let streamed = state.first;
          if (index !== 0) {
            state.others ??= new Map();
            streamed = state.others.get(index) ?? newChoice();
            state.others.set(index, streamed);
          }
          if (choice.delta?.content) streamed.text += choice.delta.content;
          if (choice.finish_reason) state.finishReasons.push(choice.finish_reason);
          for (const t of choice.delta?.tool_calls ?? []) {
            streamed.tools ??= new Map();
            const entry = streamed.tools.get(t.index ?? 0) ?? { name: "", arguments: "" };
            entry.name += t.function?.name ?? "";
            entry.arguments += t.function?.arguments ?? "";
            streamed.tools.set(t.index ?? 0, entry);
          }
        }
      },
      (outcome) => {
        const endTime = performance.now();
        // In the order of a non-streamed completion: by choice, then by tool call.
        const choices = state.others
          ? [state.first, ...[...state.others].sort(([a], [b]) => a - b).map(([, choice]) => choice)]
          : [state.first];
        const toolCalls = choices.length === 1 ? toolCallsOf(state.first) : choices.flatMap(toolCallsOf);
        const result: CallResult = {
          responseId: state.id,
          responseModel: state.model,
          servedTier: state.servedTier,
          finishReasons: state.finishReasons,
          usage: state.usage,
          toolCalls,
          outputMessages: call.capturesContent
            ? choices.map((choice) => ({
                role: "assistant",
                content: choice.text,
                tool_calls: toolCallsOf(choice),
              }))
            : undefined,
        };
        settle(call, result, outcome, endTime, {
          inputText: () => messagesText(body.messages),
          outputText: () =>
            choices.map((choice) => choice.text).join("\n") +
            toolCalls.map((t) => `${t.name} ${t.arguments}`).join("\n"),
        });
      },
    );
  },
};
