import type {
  ContentBlock,
  Message,
  RawMessageStreamEvent,
  TextBlock,
  ThinkingBlock,
  ToolUseBlock,
  Usage,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { field, type RenderContext } from "./render-context.js";
import type { PlannedToolCall, PlannedUsage } from "./reply-plan.js";
import { failAfter, type SseEvent } from "./sse.js";

/** The signature the mock gives every thinking block; the real one is opaque too. */
const THINKING_SIGNATURE = "mock-signature";

/** The parts of a Messages request that count as prompt. */
export function anthropicMessagesPrompt(body: unknown): unknown {
  return [field(body, "system"), field(body, "messages")];
}

/**
 * Renders a non-streaming `message`: a thinking block (if any thinking), a text block (if any
 * text), then one `tool_use` block per tool call, with `stop_reason` `tool_use` or `end_turn`.
 */
export function renderMessage(ctx: RenderContext): Message {
  const { plan } = ctx;
  const content: ContentBlock[] = [];
  if (plan.thinking !== null) content.push(thinkingBlock(plan.thinking, THINKING_SIGNATURE));
  if (plan.text !== null) content.push(textBlock(plan.text));
  for (const call of plan.toolCalls)
    content.push(toolUseBlock(ctx, call, parseToolInput(call.argumentsJson)));
  return {
    ...messageShell(ctx),
    content,
    stop_reason: plan.toolCalls.length > 0 ? "tool_use" : "end_turn",
    usage: messagesUsage(plan.usage),
  };
}

/**
 * Renders a Messages stream: `message_start` (input and cache usage, as the API reports the
 * prompt up front), `ping`, per block `content_block_start` → `content_block_delta`
 * (`thinking_delta` then `signature_delta`, `text_delta`, or `input_json_delta`) →
 * `content_block_stop`, then `message_delta` with `stop_reason` and the cumulative usage, and
 * `message_stop`. A scripted `streamError` replaces the events after it with an `error` event.
 */
export function renderMessageStream(ctx: RenderContext): SseEvent[] {
  const { plan } = ctx;
  const usage = messagesUsage(plan.usage);
  const events: RawMessageStreamEvent[] = [
    {
      type: "message_start",
      message: {
        ...messageShell(ctx),
        content: [],
        stop_reason: null,
        // Output is not known yet at the start; the API reports a token or so here. The
        // searches run after the start, so message_delta reports them.
        usage: { ...usage, output_tokens: Math.min(1, plan.usage.output), server_tool_use: null },
      },
    },
  ];
  let index = 0;
  if (plan.thinking !== null) {
    const at = index++;
    events.push({ type: "content_block_start", index: at, content_block: thinkingBlock("", "") });
    for (const thinking of plan.thinkingPieces) {
      events.push({ type: "content_block_delta", index: at, delta: { type: "thinking_delta", thinking } });
    }
    events.push({
      type: "content_block_delta",
      index: at,
      delta: { type: "signature_delta", signature: THINKING_SIGNATURE },
    });
    events.push({ type: "content_block_stop", index: at });
  }
  if (plan.text !== null) {
    const at = index++;
    events.push({ type: "content_block_start", index: at, content_block: textBlock("") });
    for (const text of plan.textPieces) {
      events.push({ type: "content_block_delta", index: at, delta: { type: "text_delta", text } });
    }
    events.push({ type: "content_block_stop", index: at });
  }
  for (const call of plan.toolCalls) {
    const at = index++;
    // The API starts a tool_use block with empty input and streams the JSON as text.
    events.push({ type: "content_block_start", index: at, content_block: toolUseBlock(ctx, call, {}) });
    for (const partial_json of call.argumentPieces) {
      events.push({
        type: "content_block_delta",
        index: at,
        delta: { type: "input_json_delta", partial_json },
      });
    }
    events.push({ type: "content_block_stop", index: at });
  }
  events.push(
    {
      type: "message_delta",
      delta: {
        stop_reason: plan.toolCalls.length > 0 ? "tool_use" : "end_turn",
        stop_sequence: null,
        stop_details: null,
        container: null,
      },
      // The API repeats the prompt counters here as cumulative totals; the SDK overwrites with them.
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
        output_tokens_details: usage.output_tokens_details,
        server_tool_use: usage.server_tool_use,
      },
    },
    { type: "message_stop" },
  );
  const sse = events.map((event): SseEvent => ({ event: event.type, data: event }));
  // `ping` keeps proxies from timing out; the SDK must skip it, so the mock sends one too.
  sse.splice(1, 0, { event: "ping", data: { type: "ping" } });
  const failure = plan.streamError;
  if (!failure) return sse;
  const error = { type: failure.type ?? "overloaded_error", message: failure.message ?? "Overloaded" };
  return failAfter(sse, failure.afterChunks, { event: "error", data: { type: "error", error } });
}

/**
 * Maps usage to Anthropic's `Usage`. Anthropic's `input_tokens` counts only the uncached
 * prompt: the whole prompt is `input_tokens + cache_read_input_tokens +
 * cache_creation_input_tokens`, so a scripted input of 37000 with 30000 read and 5000
 * written reports `input_tokens: 2000`. `cache_creation` splits the writes by cache lifetime:
 * 5000 written of which 2000 for an hour reports `ephemeral_5m_input_tokens: 3000,
 * ephemeral_1h_input_tokens: 2000`. Scripted web searches are `server_tool_use.web_search_requests`,
 * `null` when there were none, as the API sends it.
 */
export function messagesUsage(usage: PlannedUsage): Usage {
  return {
    input_tokens: usage.input - usage.cacheRead - usage.cacheWrite,
    cache_read_input_tokens: usage.cacheRead,
    cache_creation_input_tokens: usage.cacheWrite,
    // Every cache write has the default five-minute TTL but the scripted one-hour part.
    cache_creation: {
      ephemeral_5m_input_tokens: usage.cacheWrite - usage.cacheWrite1h,
      ephemeral_1h_input_tokens: usage.cacheWrite1h,
    },
    output_tokens: usage.output,
    output_tokens_details: usage.reasoning > 0 ? { thinking_tokens: usage.reasoning } : null,
    server_tool_use:
      usage.webSearches > 0 ? { web_search_requests: usage.webSearches, web_fetch_requests: 0 } : null,
    service_tier: "standard",
    inference_geo: null,
    speed: null,
  };
}

function messageShell(ctx: RenderContext) {
  return {
    id: ctx.newId("msg_"),
    type: "message" as const,
    role: "assistant" as const,
    model: ctx.plan.model,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
  };
}

function thinkingBlock(thinking: string, signature: string): ThinkingBlock {
  return { type: "thinking", thinking, signature };
}

function textBlock(text: string): TextBlock {
  return { type: "text", text, citations: null };
}

function toolUseBlock(ctx: RenderContext, call: PlannedToolCall, input: unknown): ToolUseBlock {
  return {
    type: "tool_use",
    id: call.id ?? ctx.newId("toolu_"),
    name: call.name,
    input,
    caller: { type: "direct" },
  };
}

// A scripted string that is not JSON is passed through as-is, so tests can exercise how
// instrumentation copes with a malformed tool input.
function parseToolInput(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}
