/**
 * Token usage on Vercel AI SDK provider-call spans. Its meaning changed twice:
 * - v4 (`ai.usage.promptTokens`): each provider's own prompt count. `@ai-sdk/anthropic` passes
 *   Anthropic's `input_tokens`, which excludes the cache; its cache counts live only in
 *   `ai.response.providerMetadata` (`anthropic.cacheReadInputTokens`,
 *   `anthropic.cacheCreationInputTokens`), emitted from ai 4.3.17 on. OpenAI's prompt count
 *   includes the cache; `openai.cachedPromptTokens` and `openai.reasoningTokens` are details.
 * - v5 (`ai.usage.inputTokens`): still per provider. Anthropic's `inputTokens` excludes the
 *   cache, `cachedInputTokens` is the cache read, and the cache write is only in
 *   `providerMetadata.anthropic.cacheCreationInputTokens`. OpenAI's includes the cache.
 * - v6+ (`ai.usage.inputTokenDetails.*` present): `inputTokens` is the whole prompt for every
 *   provider, with `noCacheTokens`, `cacheReadTokens` and `cacheWriteTokens` as its parts.
 * Later releases also copy usage to `gen_ai.usage.*`, which is read when `ai.usage.*` is absent.
 * Embedding calls report `ai.usage.tokens` in every version.
 */
import type { TokenUsage } from "../llm-call.js";
import {
  ATTR_AI_USAGE_CACHED_INPUT_TOKENS,
  ATTR_AI_USAGE_COMPLETION_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_CACHE_READ_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_CACHE_WRITE_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_NO_CACHE_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKENS,
  ATTR_AI_USAGE_OUTPUT_TOKEN_DETAILS_REASONING_TOKENS,
  ATTR_AI_USAGE_OUTPUT_TOKENS,
  ATTR_AI_USAGE_PROMPT_TOKENS,
  ATTR_AI_USAGE_REASONING_TOKENS,
  ATTR_AI_USAGE_TOKENS,
  ATTR_AI_USAGE_TOTAL_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from "../semconv.js";
import type { Attributes } from "../span.js";
import { asObject, firstCount, toCount } from "./attributes.js";
import { toTokenUsage } from "./usage.js";

/** Field names inside `ai.response.providerMetadata` (JSON keys, not span attributes). */
const METADATA = {
  anthropic: "anthropic",
  anthropicUsage: "usage",
  cacheRead: "cacheReadInputTokens",
  cacheWrite: "cacheCreationInputTokens",
  rawCacheWrite: "cache_creation_input_tokens",
  openaiCachedPrompt: "cachedPromptTokens",
  reasoning: "reasoningTokens",
} as const;

const V6_DETAILS = [
  ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_NO_CACHE_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_CACHE_READ_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_CACHE_WRITE_TOKENS,
];

/** Whether a span uses the v4 usage names. */
export function isAiSdkV4(attributes: Attributes): boolean {
  return (
    attributes[ATTR_AI_USAGE_PROMPT_TOKENS] !== undefined ||
    attributes[ATTR_AI_USAGE_COMPLETION_TOKENS] !== undefined
  );
}

/**
 * The normalised usage of a provider-call span. `providerId` is `ai.model.provider`
 * (`anthropic.messages`, `vertex.anthropic.messages`, `openai.chat`, ...); `metadata` is the
 * parsed `ai.response.providerMetadata`.
 * @example aiSdkTokens(v5AnthropicSpan, "anthropic.messages", metadata).input // input + cache read + cache write
 */
export function aiSdkTokens(
  attributes: Attributes,
  providerId: string,
  metadata: Record<string, unknown>,
): TokenUsage {
  if (isAiSdkV4(attributes)) return v4Tokens(attributes, providerId, metadata);
  const count = (...keys: string[]) => firstCount(attributes, keys);
  const v6 = V6_DETAILS.some((key) => attributes[key] !== undefined);
  const anthropic = isAnthropic(providerId);
  return toTokenUsage({
    input: count(ATTR_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_AI_USAGE_TOKENS) ?? 0,
    output: count(ATTR_AI_USAGE_OUTPUT_TOKENS, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS) ?? 0,
    cacheRead:
      count(
        ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_CACHE_READ_TOKENS,
        ATTR_AI_USAGE_CACHED_INPUT_TOKENS,
        ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
      ) ?? 0,
    cacheWrite:
      count(
        ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_CACHE_WRITE_TOKENS,
        ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
      ) ?? anthropicCacheWrite(metadata),
    reasoning:
      count(
        ATTR_AI_USAGE_OUTPUT_TOKEN_DETAILS_REASONING_TOKENS,
        ATTR_AI_USAGE_REASONING_TOKENS,
        ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
      ) ?? 0,
    total: count(ATTR_AI_USAGE_TOTAL_TOKENS),
    inputIncludesCache: v6 || !anthropic,
    outputIncludesReasoning: true,
  });
}

function v4Tokens(attributes: Attributes, providerId: string, metadata: Record<string, unknown>): TokenUsage {
  const anthropic = isAnthropic(providerId);
  return toTokenUsage({
    input: firstCount(attributes, [ATTR_AI_USAGE_PROMPT_TOKENS, ATTR_AI_USAGE_TOKENS]) ?? 0,
    output: firstCount(attributes, [ATTR_AI_USAGE_COMPLETION_TOKENS]) ?? 0,
    cacheRead: metadataCount(metadata, anthropic ? METADATA.cacheRead : METADATA.openaiCachedPrompt),
    cacheWrite: anthropic ? metadataCount(metadata, METADATA.cacheWrite) : 0,
    reasoning: metadataCount(metadata, METADATA.reasoning),
    inputIncludesCache: !anthropic,
    outputIncludesReasoning: true,
  });
}

/** Anthropic's cache write, from the SDK's summary field or, failing that, the raw usage it copies. */
function anthropicCacheWrite(metadata: Record<string, unknown>): number {
  const block = asObject(metadata[METADATA.anthropic]);
  const summary = block?.[METADATA.cacheWrite];
  if (summary !== undefined && summary !== null) return toCount(summary);
  return toCount(asObject(block?.[METADATA.anthropicUsage])?.[METADATA.rawCacheWrite] ?? 0);
}

/** The first provider block in the metadata that has `field`, as a count; 0 when none has it. */
function metadataCount(metadata: Record<string, unknown>, field: string): number {
  for (const block of Object.values(metadata)) {
    const value = asObject(block)?.[field];
    if (value !== undefined && value !== null) return toCount(value);
  }
  return 0;
}

/** Whether the SDK provider speaks Anthropic's Messages API, directly or through Vertex. */
function isAnthropic(providerId: string): boolean {
  return providerId.toLowerCase().split(".").includes(METADATA.anthropic);
}
