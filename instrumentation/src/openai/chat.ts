import type { TokenUsage } from "@burnrate/core";
import { messagesText } from "../estimate.js";
import type { CallResult } from "../llm-call.js";
import { settle } from "../settle.js";
import { observeStream } from "../stream.js";
import type { MethodTelemetry } from "../wrap.js";

/** The parts of a Chat Completions usage object we read (OpenAI counts cached tokens inside prompt_tokens). */
interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

export function chatUsage(usage: ChatUsage | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  return {
    input: usage.prompt_tokens ?? 0,
    output: usage.completion_tokens ?? 0,
    cacheRead: usage.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWrite: 0,
    reasoning: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
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
      text: "",
      finishReasons: [] as string[],
      tools: new Map<number, { name: string; arguments: string }>(),
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
            delta?: { content?: string | null; tool_calls?: ToolCallDelta[] };
            finish_reason?: string | null;
          }[];
        };
        state.id ??= chunk.id;
        state.model ??= chunk.model;
        state.servedTier ??= chunk.service_tier ?? undefined;
        if (chunk.usage) state.usage = chatUsage(chunk.usage);
        for (const choice of chunk.choices ?? []) {
          if (choice.delta?.content) state.text += choice.delta.content;
          if (choice.finish_reason) state.finishReasons.push(choice.finish_reason);
          for (const t of choice.delta?.tool_calls ?? []) {
            const entry = state.tools.get(t.index ?? 0) ?? { name: "", arguments: "" };
            entry.name += t.function?.name ?? "";
            entry.arguments += t.function?.arguments ?? "";
            state.tools.set(t.index ?? 0, entry);
          }
        }
      },
      (outcome) => {
        const endTime = Date.now();
        const toolCalls = [...state.tools.values()];
        const result: CallResult = {
          responseId: state.id,
          responseModel: state.model,
          servedTier: state.servedTier,
          finishReasons: state.finishReasons,
          usage: state.usage,
          toolCalls,
          outputMessages: call.capturesContent
            ? [{ role: "assistant", content: state.text, tool_calls: toolCalls }]
            : undefined,
        };
        settle(
          call,
          result,
          outcome,
          endTime,
          () => messagesText(body.messages),
          () => state.text + toolCalls.map((t) => `${t.name} ${t.arguments}`).join("\n"),
        );
      },
    );
  },
};
