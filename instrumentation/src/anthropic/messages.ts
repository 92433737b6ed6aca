import type { TokenUsage } from "@burnrate/core";
import { messagesText } from "../estimate.js";
import type { CallResult } from "../llm-call.js";
import { settle, type UsageEstimate } from "../settle.js";
import { observeStream } from "../stream.js";
import type { MethodTelemetry } from "../wrap.js";

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  /** `cache_creation_input_tokens` by cache lifetime; the one-hour writes cost more. */
  cache_creation?: { ephemeral_1h_input_tokens?: number | null } | null;
  /** Thinking tokens, which `output_tokens` already includes (as OpenAI's reasoning tokens are). */
  output_tokens_details?: { thinking_tokens?: number | null } | null;
  /** Server tools' requests; each web search is billed apart from the tokens. */
  server_tool_use?: { web_search_requests?: number | null } | null;
}

/**
 * Anthropic's `input_tokens` excludes the cached parts; the GenAI conventions (and
 * Burnrate's TokenUsage) count the whole prompt, so the three are added. The one-hour part of
 * the cache writes (`cache_creation.ephemeral_1h_input_tokens`) becomes `cacheWrite1h`, and
 * the web searches (`server_tool_use.web_search_requests`, $10 per 1,000) `webSearches`, each
 * set only when there is some.
 */
export function anthropicUsage(usage: AnthropicUsage | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const tokens: TokenUsage = {
    input: (usage.input_tokens ?? 0) + cacheRead + cacheWrite,
    output: usage.output_tokens ?? 0,
    cacheRead,
    cacheWrite,
    reasoning: usage.output_tokens_details?.thinking_tokens ?? 0,
  };
  const oneHour = oneHourWrites(usage.cache_creation);
  // Part of the cache writes, so never more than them.
  if (oneHour > 0 && cacheWrite > 0) tokens.cacheWrite1h = Math.min(oneHour, cacheWrite);
  const searches = countIn(usage.server_tool_use, "web_search_requests");
  if (searches > 0) tokens.webSearches = searches;
  return tokens;
}

/** `ephemeral_1h_input_tokens`, or 0 when `cache_creation` is missing or not as documented. */
function oneHourWrites(creation: unknown): number {
  return countIn(creation, "ephemeral_1h_input_tokens");
}

/** The positive count at `key` of a usage detail object, or 0 when it is missing or not as documented. */
function countIn(details: unknown, key: string): number {
  if (typeof details !== "object" || details === null) return 0;
  const count = (details as Record<string, unknown>)[key];
  return typeof count === "number" && count > 0 ? count : 0;
}

interface ContentBlock {
  type?: string;
  name?: string;
  input?: unknown;
  text?: string;
}

/** `messages.create`, streaming or not. `messages.stream()` calls it, so it is covered too. */
export const messages: MethodTelemetry = {
  streams: (body) => body.stream === true,

  start(body) {
    const model = String(body.model ?? "");
    return {
      provider: "anthropic",
      operation: "chat",
      requestModel: model,
      serviceTier: typeof body.service_tier === "string" ? body.service_tier : undefined,
      prompt: { model, messages: body.messages, tools: body.tools, system: body.system },
      inputMessages: body.messages,
    };
  },

  finish(call, message) {
    const m = message as {
      id?: string;
      model?: string;
      stop_reason?: string;
      usage?: AnthropicUsage;
      content?: ContentBlock[];
    };
    call.finish({
      responseId: m.id,
      responseModel: m.model,
      finishReasons: m.stop_reason ? [m.stop_reason] : [],
      usage: anthropicUsage(m.usage),
      toolCalls: (m.content ?? [])
        .filter((b) => b.type === "tool_use")
        .map((b) => ({ name: b.name ?? "", arguments: b.input })),
      outputMessages: [{ role: "assistant", content: m.content }],
    });
  },

  observe(call, stream, body) {
    let usage: AnthropicUsage | undefined;
    let id: string | undefined;
    let model: string | undefined;
    let stopReason: string | undefined;
    let text = "";
    // What else the model wrote that is billed as output: thinking, and server tools' input.
    let otherOutput = "";
    const blocks = new Map<number, { name: string; json: string }>();
    return observeStream(
      stream as AsyncIterable<unknown> & { controller?: AbortController },
      (item) => {
        const event = item as {
          type?: string;
          index?: number;
          message?: { id?: string; model?: string; usage?: AnthropicUsage };
          content_block?: ContentBlock;
          delta?: {
            type?: string;
            text?: string;
            thinking?: string;
            partial_json?: string;
            stop_reason?: string;
          };
          usage?: AnthropicUsage;
        };
        if (event.type === "message_start" && event.message) {
          id = event.message.id || undefined;
          model = event.message.model || undefined;
          usage = event.message.usage ? { ...event.message.usage } : undefined;
        } else if (event.type === "content_block_start" && event.content_block?.type === "tool_use") {
          blocks.set(event.index ?? 0, { name: event.content_block.name ?? "", json: "" });
        } else if (event.type === "content_block_delta") {
          const delta = event.delta;
          if (delta?.type === "text_delta") text += delta.text ?? "";
          else if (delta?.type === "thinking_delta") otherOutput += delta.thinking ?? "";
          else if (delta?.type === "input_json_delta") {
            // A tool_use block's input is fingerprinted; any other block's (server tools) is output all the same.
            const block = blocks.get(event.index ?? 0);
            if (block) block.json += delta.partial_json ?? "";
            else otherOutput += delta.partial_json ?? "";
          }
        } else if (event.type === "message_delta") {
          if (event.delta?.stop_reason) stopReason = event.delta.stop_reason;
          // message_delta's counts are cumulative for the whole message.
          if (event.usage) usage = { ...usage, ...definedOnly(event.usage) };
        }
      },
      (outcome) => {
        const toolCalls = [...blocks.values()].map((b) => ({ name: b.name, arguments: b.json }));
        const complete = stopReason !== undefined;
        const counted = anthropicUsage(usage);
        const prompted = typeof usage?.input_tokens === "number" ? counted : undefined;
        const result: CallResult = {
          responseId: id,
          responseModel: model,
          finishReasons: stopReason ? [stopReason] : [],
          // Before message_delta only the prompt's counts are known (from message_start): they
          // are billed however the stream ends, so only the output is estimated.
          usage: complete ? counted : undefined,
          toolCalls,
          outputMessages: [{ role: "assistant", content: text }],
        };
        settle(call, result, outcome, performance.now(), {
          inputText: () => `${messagesText(body.system)}\n${messagesText(body.messages)}`,
          outputText: () => otherOutput + text + toolCalls.map((t) => `${t.name} ${t.arguments}`).join("\n"),
          prompt: prompted && promptCounts(prompted),
        });
      },
    );
  },
};

/** The prompt's counts of a usage, without its output. */
function promptCounts(usage: TokenUsage): NonNullable<UsageEstimate["prompt"]> {
  const { input, cacheRead, cacheWrite, cacheWrite1h } = usage;
  return cacheWrite1h ? { input, cacheRead, cacheWrite, cacheWrite1h } : { input, cacheRead, cacheWrite };
}

function definedOnly(usage: AnthropicUsage): AnthropicUsage {
  return Object.fromEntries(Object.entries(usage).filter(([, v]) => v !== null && v !== undefined));
}
