/**
 * The OpenTelemetry GenAI conventions, current (v1.41) and older, and the shared reader that
 * OpenLLMetry reuses with its own attribute names (it grew out of the same `gen_ai.*` names).
 */

import type { TokenUsage } from "../llm-call.js";
import {
  ATTR_ANTHROPIC_SDK_USAGE_CACHE_WRITE_1H_INPUT_TOKENS,
  ATTR_ANTHROPIC_SDK_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_BURNRATE_USAGE_AUDIO_INPUT_TOKENS,
  ATTR_BURNRATE_USAGE_AUDIO_OUTPUT_TOKENS,
  ATTR_BURNRATE_USAGE_CACHE_CREATION_1H_INPUT_TOKENS,
  ATTR_BURNRATE_USAGE_WEB_SEARCH_REQUESTS,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_REASONING_TOKENS,
} from "../semconv.js";
import type { Attributes, Span } from "../span.js";
import { firstCount, firstString, readCount, readString } from "./attributes.js";
import { normaliseProvider } from "./provider.js";
import type { Attribution, ConventionReading } from "./reading.js";
import { toTokenUsage } from "./usage.js";

/** Operations that are a call to a model. */
const LLM_OPERATIONS: ReadonlySet<string> = new Set([
  "chat",
  "text_completion",
  "generate_content",
  "embeddings",
]);

/**
 * Operations that wrap model calls without being one. Their spans may carry the usage they
 * aggregate, so counting them would count every token twice.
 */
const WRAPPER_OPERATIONS: ReadonlySet<string> = new Set([
  "create_agent",
  "invoke_agent",
  "invoke_workflow",
  "execute_tool",
  "retrieval",
  "search_memory",
  "update_memory",
  "delete_memory",
  "create_memory_store",
  "delete_memory_store",
]);

/**
 * Spans of free provider calls that name a model and a provider as a model call's span does,
 * but bill nothing: token counting (`anthropic.messages.count_tokens` from the Anthropic
 * SDK's own tracing, `countTokens` elsewhere).
 */
const FREE_CALL_SPAN_NAME = /(?:^|[^a-z])count_?tokens(?:$|[^a-z])/i;

/** The operation assumed for a model call whose span names none; most calls are chats. */
const DEFAULT_OPERATION = "chat";

/** Attribute names to read, in order of preference: current names first, older ones after. */
export interface GenAiNames {
  provider: readonly string[];
  requestModel: readonly string[];
  responseModel: readonly string[];
  input: readonly string[];
  output: readonly string[];
  cacheRead: readonly string[];
  cacheWrite: readonly string[];
  reasoning: readonly string[];
  total: readonly string[];
}

/** Current semconv names first, then the deprecated ones and OpenLLMetry's pre-semconv cache names. */
export const GEN_AI_NAMES: GenAiNames = {
  provider: [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM],
  requestModel: [ATTR_GEN_AI_REQUEST_MODEL],
  responseModel: [ATTR_GEN_AI_RESPONSE_MODEL],
  input: [ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_PROMPT_TOKENS],
  output: [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, ATTR_GEN_AI_USAGE_COMPLETION_TOKENS],
  cacheRead: [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, ATTR_OPENLLMETRY_USAGE_CACHE_READ_INPUT_TOKENS],
  cacheWrite: [
    ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    ATTR_OPENLLMETRY_USAGE_CACHE_CREATION_INPUT_TOKENS,
    ATTR_ANTHROPIC_SDK_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ],
  reasoning: [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, ATTR_OPENLLMETRY_USAGE_REASONING_TOKENS],
  total: [],
};

/**
 * Reads a span that uses the GenAI conventions, current or older. Returns `undefined` for
 * agent, tool, retrieval and memory spans, and for spans with no model and no usage.
 * @example readGenAi(span)?.tokens.input // gen_ai.usage.input_tokens, cache included
 */
export function readGenAi(span: Span): ConventionReading | undefined {
  const reading = readGenAiStyle(
    span,
    GEN_AI_NAMES,
    readString(span.attributes, ATTR_GEN_AI_OPERATION_NAME),
    {},
  );
  if (reading) readBurnrateUsage(span.attributes, reading.tokens);
  return reading;
}

/**
 * Burnrate's own usage attributes, beside the GenAI ones: the one-hour part of the cache writes
 * (Anthropic's dearer one-hour cache; the Anthropic SDK's own tracing names it too), the audio parts of input and output (audio models' own
 * prices), and server-side web searches (a fee each). Each part is held at the count it is part
 * of, and each is set only when non-zero, as the instrumentation writes them.
 */
function readBurnrateUsage(attributes: Attributes, tokens: TokenUsage): void {
  const part = (key: string, whole: number) => Math.min(readCount(attributes, key) ?? 0, whole);
  const oneHour =
    part(ATTR_BURNRATE_USAGE_CACHE_CREATION_1H_INPUT_TOKENS, tokens.cacheWrite) ||
    part(ATTR_ANTHROPIC_SDK_USAGE_CACHE_WRITE_1H_INPUT_TOKENS, tokens.cacheWrite);
  if (oneHour) tokens.cacheWrite1h = oneHour;
  const audioInput = part(ATTR_BURNRATE_USAGE_AUDIO_INPUT_TOKENS, tokens.input);
  if (audioInput) tokens.audioInput = audioInput;
  const audioOutput = part(ATTR_BURNRATE_USAGE_AUDIO_OUTPUT_TOKENS, tokens.output);
  if (audioOutput) tokens.audioOutput = audioOutput;
  const webSearches = readCount(attributes, ATTR_BURNRATE_USAGE_WEB_SEARCH_REQUESTS);
  if (webSearches) tokens.webSearches = webSearches;
}

/**
 * The shared reader: `operation` is the convention's operation name (already mapped to a
 * `gen_ai.operation.name` value, or `""` when the span names none). Every count these
 * conventions report includes cached input and reasoning output; `toTokenUsage` corrects
 * spans whose numbers show otherwise.
 */
export function readGenAiStyle(
  span: Span,
  names: GenAiNames,
  operation: string,
  attribution: Partial<Attribution>,
): ConventionReading | undefined {
  const attributes = span.attributes;
  const requestModel = firstString(attributes, names.requestModel);
  const responseModel = firstString(attributes, names.responseModel);
  const input = firstCount(attributes, names.input);
  const output = firstCount(attributes, names.output);
  const hasModel = requestModel !== "" || responseModel !== "";
  const hasUsage = input !== undefined || output !== undefined;
  if (!isModelCall(operation, hasModel || hasUsage)) return undefined;
  if (!LLM_OPERATIONS.has(operation) && FREE_CALL_SPAN_NAME.test(span.name)) return undefined;
  return {
    provider: normaliseProvider(firstString(attributes, names.provider)),
    operation: operation || operationFromSpanName(span.name),
    requestModel,
    responseModel,
    tokens: toTokenUsage({
      input: input ?? 0,
      output: output ?? 0,
      cacheRead: countOf(attributes, names.cacheRead),
      cacheWrite: countOf(attributes, names.cacheWrite),
      reasoning: countOf(attributes, names.reasoning),
      total: firstCount(attributes, names.total),
      inputIncludesCache: true,
      outputIncludesReasoning: true,
    }),
    attribution,
  };
}

/** Known model operations are calls; known wrappers are not; anything else must show a model or usage. */
function isModelCall(operation: string, looksLikeCall: boolean): boolean {
  if (LLM_OPERATIONS.has(operation)) return true;
  if (WRAPPER_OPERATIONS.has(operation)) return false;
  return looksLikeCall;
}

/** Semconv span names are `{operation} {model}`, so the first word names the operation. */
function operationFromSpanName(name: string): string {
  const first = name.split(" ")[0] ?? "";
  return LLM_OPERATIONS.has(first) ? first : DEFAULT_OPERATION;
}

function countOf(attributes: Attributes, keys: readonly string[]): number {
  return firstCount(attributes, keys) ?? 0;
}
