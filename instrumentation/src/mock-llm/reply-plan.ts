import type { MockError, MockReply, MockStreamError } from "./reply.js";

/** Text the mock answers with when a reply scripts neither text nor tool calls. */
export const DEFAULT_TEXT = "This is a reply from the Burnrate mock LLM.";

/** How many pieces a streamed text or tool-call argument string is split into by default. */
export const DEFAULT_CHUNKS = 4;

/** Token counts with every default filled in; same meaning as {@link MockReply.usage}. */
export interface PlannedUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Of `cacheWrite`, the one-hour cache writes. */
  cacheWrite1h: number;
  reasoning: number;
  /** Of `input`, the audio tokens. */
  audioInput: number;
  /** Of `output`, the audio tokens. */
  audioOutput: number;
  webSearches: number;
}

/** A tool call ready to serialise; `id` stays optional because each provider styles its own. */
export interface PlannedToolCall {
  id: string | undefined;
  name: string;
  /** The arguments as the JSON text the provider sends. */
  argumentsJson: string;
  /** `argumentsJson` cut into stream pieces; joined they equal it. */
  argumentPieces: string[];
}

/** Everything a provider format needs to render one answer, with defaults resolved. */
export interface ReplyPlan {
  model: string;
  /** `null` for a tool-calls-only answer. */
  text: string | null;
  /** `text` cut into stream pieces; joined they equal it. */
  textPieces: string[];
  toolCalls: PlannedToolCall[];
  usage: PlannedUsage;
  error: MockError | undefined;
  latencyMs: number;
  chunkDelayMs: number;
  cutAfterChunks: number | undefined;
  cutBody: boolean;
  /** The OpenAI service tier the response reports. */
  serviceTier: string;
  /** Anthropic extended thinking, or `null` for none. */
  thinking: string | null;
  /** `thinking` cut into stream pieces; joined they equal it. */
  thinkingPieces: string[];
  streamError: MockStreamError | undefined;
  azureFilterChunk: boolean;
  /** Retrieves of a background response that answer `in_progress` first. */
  backgroundPolls: number;
}

/** What the plan needs to know about the request. */
export interface PlanRequest {
  /** The request's `model`, echoed when the reply names none. */
  model: unknown;
  /** The prompt-bearing parts of the request body, for estimating input tokens. */
  prompt: unknown;
  /** The request's `service_tier`, echoed (but `auto`) when the reply names none. */
  serviceTier?: unknown;
}

/**
 * Resolves a validated reply against its request: picks the text, serialises tool-call
 * arguments, splits stream pieces and fills in plausible usage.
 *
 * Estimates use the common "four characters per token" rule, so a prompt of 400 characters
 * reports 100 input tokens unless the reply scripts `usage.input`.
 */
export function planReply(reply: MockReply, request: PlanRequest): ReplyPlan {
  const pieceCount = reply.chunks ?? DEFAULT_CHUNKS;
  const toolCalls = (reply.toolCalls ?? []).map((call): PlannedToolCall => {
    const argumentsJson =
      typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
    return {
      id: call.id,
      name: call.name,
      argumentsJson,
      argumentPieces: splitIntoPieces(argumentsJson, pieceCount),
    };
  });
  const text = reply.text ?? (toolCalls.length > 0 ? null : DEFAULT_TEXT);
  const thinking = reply.thinking ?? null;
  const outputChars =
    (text?.length ?? 0) +
    (thinking?.length ?? 0) +
    toolCalls.reduce((sum, c) => sum + c.name.length + c.argumentsJson.length, 0);
  return {
    model: reply.model ?? (typeof request.model === "string" && request.model ? request.model : "mock-model"),
    text,
    textPieces: text === null ? [] : splitIntoPieces(text, pieceCount),
    toolCalls,
    usage: planUsage(reply.usage ?? {}, estimateTokens(countPromptChars(request.prompt)), outputChars),
    error: reply.error,
    latencyMs: reply.latencyMs ?? 0,
    chunkDelayMs: reply.chunkDelayMs ?? 0,
    cutAfterChunks: reply.cutAfterChunks,
    cutBody: reply.cutBody ?? false,
    serviceTier:
      reply.serviceTier ??
      (typeof request.serviceTier === "string" && request.serviceTier !== "auto"
        ? request.serviceTier
        : "default"),
    thinking,
    thinkingPieces: thinking === null ? [] : splitIntoPieces(thinking, pieceCount),
    streamError: reply.streamError,
    azureFilterChunk: reply.azureFilterChunk ?? false,
    backgroundPolls: reply.backgroundPolls ?? 0,
  };
}

function planUsage(
  usage: NonNullable<MockReply["usage"]>,
  promptTokens: number,
  outputChars: number,
): PlannedUsage {
  const cacheRead = usage.cacheRead ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  const reasoning = usage.reasoning ?? 0;
  const audioInput = usage.audioInput ?? 0;
  const audioOutput = usage.audioOutput ?? 0;
  return {
    // A scripted cache or audio size larger than the estimate wins, so the prompt always contains them.
    input: usage.input ?? Math.max(promptTokens, cacheRead + cacheWrite, audioInput),
    // Scripted reasoning and audio come on top of the visible output when output itself is estimated.
    output: usage.output ?? estimateTokens(outputChars) + reasoning + audioOutput,
    cacheRead,
    cacheWrite,
    cacheWrite1h: usage.cacheWrite1h ?? 0,
    reasoning,
    audioInput,
    audioOutput,
    webSearches: usage.webSearches ?? 0,
  };
}

/** Four characters per token, at least one token. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

// Keys whose strings are structure, not prompt text.
const NON_PROMPT_KEYS = new Set(["type", "role", "id", "tool_call_id", "call_id", "tool_use_id", "model"]);

/**
 * Counts the characters of prompt text in a request fragment: every string except
 * structural ones (`role`, `type`, ids). Token-id arrays count one token (four characters)
 * per number, as embeddings accept pre-tokenised input.
 */
export function countPromptChars(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (typeof value === "number") return 4;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countPromptChars(item), 0);
  if (value !== null && typeof value === "object") {
    let sum = 0;
    for (const [key, item] of Object.entries(value)) {
      if (!NON_PROMPT_KEYS.has(key)) sum += countPromptChars(item);
    }
    return sum;
  }
  return 0;
}

/**
 * Splits text into `count` pieces of near-equal length, never inside a surrogate pair,
 * dropping empty pieces (so short text yields fewer pieces). Empty text yields `[""]`, so a
 * stream still carries one delta.
 */
export function splitIntoPieces(text: string, count: number): string[] {
  const codePoints = Array.from(text);
  if (codePoints.length === 0) return [""];
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor((i * codePoints.length) / count);
    const end = Math.floor(((i + 1) * codePoints.length) / count);
    if (end > start) pieces.push(codePoints.slice(start, end).join(""));
  }
  return pieces;
}
