import type { TokenUsage } from "@burnrate/core";
import { messagesText } from "../estimate.js";
import type { CallResult } from "../llm-call.js";
import { settle } from "../settle.js";
import { observeStream } from "../stream.js";
import type { MethodTelemetry } from "../wrap.js";
import { openAiUsage } from "./usage.js";

/**
 * The parts of a Chat Completions usage object we read. OpenAI counts the whole prompt in
 * prompt_tokens: the tokens read from and written to the cache are parts of it.
 */
interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

export function chatUsage(usage: ChatUsage | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const details = usage.prompt_tokens_details;
  return openAiUsage({
    input: usage.prompt_tokens ?? 0,
    output: usage.completion_tokens ?? 0,
    cacheRead: details?.cached_tokens ?? 0,
    cacheWrite: details?.cache_write_tokens ?? 0,
    reasoning: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  });
}

interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** What one choice of a stream has said so far. */
interface StreamedChoice {
  text: string;
  tools: Map<number, { name: string; arguments: string }>;
}

function streamedChoice(choices: Map<number, StreamedChoice>, index: number): StreamedChoice {
  let choice = choices.get(index);
  if (!choice) {
    choice = { text: "", tools: new Map() };
    choices.set(index, choice);
  }
  return choice;
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
      // With n > 1 each choice streams its own text and tool calls, each numbered from 0.
      choices: new Map<number, StreamedChoice>(),
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
          const streamed = streamedChoice(state.choices, choice.index ?? 0);
          if (choice.delta?.content) streamed.text += choice.delta.content;
          if (choice.finish_reason) state.finishReasons.push(choice.finish_reason);
          for (const t of choice.delta?.tool_calls ?? []) {
            const entry = streamed.tools.get(t.index ?? 0) ?? { name: "", arguments: "" };
            entry.name += t.function?.name ?? "";
            entry.arguments += t.function?.arguments ?? "";
            streamed.tools.set(t.index ?? 0, entry);
          }
        }
      },
      (outcome) => {
        const endTime = Date.now();
        // In the order of a non-streamed completion: by choice, then by tool call.
        const choices = [...state.choices].sort(([a], [b]) => a - b).map(([, choice]) => choice);
        const toolCalls = choices.flatMap((choice) =>
          [...choice.tools].sort(([a], [b]) => a - b).map(([, t]) => t),
        );
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
                tool_calls: [...choice.tools.values()],
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
