import type {
  Response,
  ResponseError,
  ResponseFunctionToolCall,
  ResponseFunctionWebSearch,
  ResponseOutputMessage,
  ResponseOutputText,
  ResponseReasoningItem,
  ResponseStreamEvent,
  ResponseUsage,
} from "openai/resources/responses/responses";
import { field, type RenderContext } from "./render-context.js";
import type { PlannedUsage } from "./reply-plan.js";
import { failAfter, type SseEvent } from "./sse.js";

/**
 * A `response` object as the API sends it. `output_text` is not on the wire: the SDK
 * derives it from `output`, so the mock must leave it out like the real API does.
 */
export type WireResponse = Omit<Response, "output_text">;

/** A stream event as the API sends it, with lifecycle events carrying a {@link WireResponse}. */
export type WireResponseEvent = ResponseStreamEvent extends infer E
  ? E extends { response: Response }
    ? Omit<E, "response"> & { response: WireResponse }
    : E
  : never;

/** The parts of a Responses request that count as prompt. */
export function responsesPrompt(body: unknown): unknown {
  return [field(body, "instructions"), field(body, "input")];
}

/** Ids fixed once per answer, so stream events and the final response agree on them. */
interface ResponseIds {
  response: string;
  message: string;
  calls: { item: string; callId: string }[];
  /** The reasoning item's, when the reply thinks first. */
  reasoning?: string;
  /** One `web_search_call` item's per scripted search. */
  searches: string[];
}

/**
 * Renders a non-streaming `response` object: a reasoning item with the thinking as its
 * summary (if any thinking), one `web_search_call` item per scripted search (a `search`
 * action, the kind OpenAI bills per call), a message item (if any text), then one
 * `function_call` item per tool call.
 */
export function renderResponse(ctx: RenderContext): WireResponse {
  const ids = responseIds(ctx);
  return {
    ...responseShell(ctx, ids.response),
    status: "completed",
    completed_at: ctx.createdAt,
    output: outputItems(ctx, ids),
    usage: responsesUsage(ctx.plan.usage),
  };
}

/**
 * Renders a Responses stream: `response.created`, `response.in_progress`, then per output
 * item `response.output_item.added` → content part / text deltas or function-call argument
 * deltas → `…done` events → `response.output_item.done`, and finally `response.completed`
 * carrying the full response with `usage`. Every event has a rising `sequence_number`, as
 * the SDK's `ResponseStream` checks event order and item identity. A scripted `streamError`
 * replaces the events after it with `response.failed`, whose response carries the error and
 * the usage, as the API ends a response that failed while it was being generated.
 */
export function renderResponseStream(ctx: RenderContext): SseEvent[] {
  const { plan } = ctx;
  const ids = responseIds(ctx);
  const shell = responseShell(ctx, ids.response);
  const events: WireResponseEvent[] = [];
  let sequence = 0;
  // Sequence numbers are filled in here so each event literal below stays readable.
  const emit = (event: DistributiveOmit<WireResponseEvent, "sequence_number">) => {
    events.push({ ...event, sequence_number: sequence++ } as WireResponseEvent);
  };
  const inProgress: WireResponse = { ...shell, status: "in_progress", output: [] };
  emit({ type: "response.created", response: inProgress });
  emit({ type: "response.in_progress", response: inProgress });

  const finalItems = outputItems(ctx, ids);
  let outputIndex = 0;
  if (plan.thinking !== null && ids.reasoning) {
    const item_id = ids.reasoning;
    const output_index = outputIndex++;
    const summary_index = 0;
    const emptyPart = { type: "summary_text" as const, text: "" };
    emit({ type: "response.output_item.added", output_index, item: reasoningItem(item_id, "") });
    emit({
      type: "response.reasoning_summary_part.added",
      item_id,
      output_index,
      summary_index,
      part: emptyPart,
    });
    for (const delta of plan.thinkingPieces) {
      emit({ type: "response.reasoning_summary_text.delta", item_id, output_index, summary_index, delta });
    }
    const text = plan.thinking;
    emit({ type: "response.reasoning_summary_text.done", item_id, output_index, summary_index, text });
    const part = { ...emptyPart, text };
    emit({ type: "response.reasoning_summary_part.done", item_id, output_index, summary_index, part });
    emit({ type: "response.output_item.done", output_index, item: finalItems[output_index]! });
  }
  for (const [index, item_id] of ids.searches.entries()) {
    const output_index = outputIndex++;
    emit({
      type: "response.output_item.added",
      output_index,
      item: searchItem(item_id, index, "in_progress"),
    });
    emit({ type: "response.web_search_call.in_progress", item_id, output_index });
    emit({ type: "response.web_search_call.searching", item_id, output_index });
    emit({ type: "response.web_search_call.completed", item_id, output_index });
    emit({ type: "response.output_item.done", output_index, item: finalItems[output_index]! });
  }
  if (plan.text !== null) {
    const item_id = ids.message;
    const output_index = outputIndex++;
    const emptyPart: ResponseOutputText = { type: "output_text", text: "", annotations: [], logprobs: [] };
    emit({ type: "response.output_item.added", output_index, item: messageItem(item_id, [], "in_progress") });
    emit({ type: "response.content_part.added", item_id, output_index, content_index: 0, part: emptyPart });
    for (const delta of plan.textPieces) {
      emit({
        type: "response.output_text.delta",
        item_id,
        output_index,
        content_index: 0,
        delta,
        logprobs: [],
      });
    }
    const text = plan.text;
    emit({ type: "response.output_text.done", item_id, output_index, content_index: 0, text, logprobs: [] });
    const part: ResponseOutputText = { ...emptyPart, text };
    emit({ type: "response.content_part.done", item_id, output_index, content_index: 0, part });
    emit({ type: "response.output_item.done", output_index, item: finalItems[output_index]! });
  }
  for (const [index, call] of plan.toolCalls.entries()) {
    const { item: item_id, callId } = ids.calls[index]!;
    const output_index = outputIndex++;
    const started = functionCallItem(item_id, callId, call.name, "", "in_progress");
    emit({ type: "response.output_item.added", output_index, item: started });
    for (const delta of call.argumentPieces) {
      emit({ type: "response.function_call_arguments.delta", item_id, output_index, delta });
    }
    const args = call.argumentsJson;
    emit({ type: "response.function_call_arguments.done", item_id, output_index, arguments: args });
    emit({ type: "response.output_item.done", output_index, item: finalItems[output_index]! });
  }
  emit({
    type: "response.completed",
    response: {
      ...shell,
      status: "completed",
      completed_at: ctx.createdAt,
      output: finalItems,
      usage: responsesUsage(plan.usage),
    },
  });
  // The SDK switches on the `type` inside the data; the `event:` line mirrors it as the API does.
  const sse = events.map((event): SseEvent => ({ event: event.type, data: event }));
  const failure = plan.streamError;
  if (!failure) return sse;
  const error = {
    code: (failure.type ?? "server_error") as ResponseError["code"],
    message: failure.message ?? "The model failed to generate a response.",
  };
  const failed: WireResponseEvent = {
    type: "response.failed",
    sequence_number: Math.min(failure.afterChunks, sse.length),
    response: { ...shell, status: "failed", error, output: [], usage: responsesUsage(plan.usage) },
  };
  return failAfter(sse, failure.afterChunks, { event: failed.type, data: failed });
}

/**
 * Maps usage to the Responses `usage` object: `input_tokens` is the whole prompt with
 * `cached_tokens` inside it, `output_tokens` includes `reasoning_tokens`.
 */
export function responsesUsage(usage: PlannedUsage): ResponseUsage {
  return {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: usage.cacheRead, cache_write_tokens: usage.cacheWrite },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning },
    total_tokens: usage.input + usage.output,
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function responseIds(ctx: RenderContext): ResponseIds {
  return {
    response: ctx.newId("resp_"),
    message: ctx.newId("msg_"),
    calls: ctx.plan.toolCalls.map((call) => ({
      item: ctx.newId("fc_"),
      callId: call.id ?? ctx.newId("call_"),
    })),
    ...(ctx.plan.thinking !== null ? { reasoning: ctx.newId("rs_") } : {}),
    searches: Array.from({ length: ctx.plan.usage.webSearches }, () => ctx.newId("ws_")),
  };
}

function outputItems(ctx: RenderContext, ids: ResponseIds): WireResponse["output"] {
  const { plan } = ctx;
  const items: WireResponse["output"] = [];
  if (plan.thinking !== null && ids.reasoning) items.push(reasoningItem(ids.reasoning, plan.thinking));
  for (const [index, id] of ids.searches.entries()) items.push(searchItem(id, index, "completed"));
  if (plan.text !== null) {
    const text: ResponseOutputText = { type: "output_text", text: plan.text, annotations: [], logprobs: [] };
    items.push(messageItem(ids.message, [text], "completed"));
  }
  for (const [index, call] of plan.toolCalls.entries()) {
    const { item, callId } = ids.calls[index]!;
    items.push(functionCallItem(item, callId, call.name, call.argumentsJson, "completed"));
  }
  return items;
}

/** A reasoning item whose summary is `summary`; the reasoning itself stays hidden, as the API keeps it. */
function reasoningItem(id: string, summary: string): ResponseReasoningItem {
  return { id, type: "reasoning", summary: summary ? [{ type: "summary_text", text: summary }] : [] };
}

/** The `index`-th web search of the answer, as a `search` action with a made-up query. */
function searchItem(
  id: string,
  index: number,
  status: ResponseFunctionWebSearch["status"],
): ResponseFunctionWebSearch {
  const query = `mock-llm search ${index + 1}`;
  return { id, type: "web_search_call", status, action: { type: "search", query, queries: [query] } };
}

function messageItem(
  id: string,
  content: ResponseOutputText[],
  status: ResponseOutputMessage["status"],
): ResponseOutputMessage {
  return { id, type: "message", role: "assistant", status, content };
}

function functionCallItem(
  id: string,
  callId: string,
  name: string,
  args: string,
  status: ResponseFunctionToolCall["status"],
): ResponseFunctionToolCall {
  return { id, type: "function_call", call_id: callId, name, arguments: args, status };
}

/** The fields every `response` object has, echoing the request's settings as the API does. */
function responseShell(ctx: RenderContext, id: string): Omit<WireResponse, "output" | "status"> {
  const echo = <T>(key: string, fallback: T): T => (field(ctx.body, key) as T | undefined) ?? fallback;
  return {
    id,
    object: "response",
    created_at: ctx.createdAt,
    model: ctx.plan.model,
    access_programs: null,
    error: null,
    incomplete_details: null,
    background: false,
    instructions: echo<WireResponse["instructions"]>("instructions", null),
    max_output_tokens: echo<number | null>("max_output_tokens", null),
    metadata: echo<WireResponse["metadata"]>("metadata", {}),
    parallel_tool_calls: echo("parallel_tool_calls", true),
    previous_response_id: echo<string | null>("previous_response_id", null),
    reasoning: { effort: null, summary: null },
    service_tier: ctx.plan.serviceTier as WireResponse["service_tier"],
    temperature: echo<number | null>("temperature", 1),
    text: { format: { type: "text" }, verbosity: "medium" },
    tool_choice: echo<WireResponse["tool_choice"]>("tool_choice", "auto"),
    tools: echo<WireResponse["tools"]>("tools", []),
    top_p: echo<number | null>("top_p", 1),
    truncation: "disabled",
  };
}
