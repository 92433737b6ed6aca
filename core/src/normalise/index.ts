/**
 * Normalisation: one `LlmCall` from a span of any known convention.
 *
 * `LlmCall.tokens.input` is the whole prompt (cache reads and writes included) and `output`
 * includes reasoning. The conventions disagree on that, so each reader declares what its
 * counts mean, and `toTokenUsage` converts (and corrects counts that prove their convention
 * wrong: an "inclusive" input smaller than its cached part, or a total that adds the cache on
 * top of it).
 *
 * | Convention | Input count | Includes cached? | Cache read / cache write from | Source |
 * | --- | --- | --- | --- | --- |
 * | semconv v1.41 | `gen_ai.usage.input_tokens` | yes | `gen_ai.usage.cache_read.input_tokens` / `gen_ai.usage.cache_creation.input_tokens` | [1] |
 * | older semconv | `gen_ai.usage.input_tokens`, before it `gen_ai.usage.prompt_tokens` | yes (OpenAI-style totals; no cache attributes then) | none (OpenLLMetry's underscore names if present) | [2] |
 * | OpenLLMetry, Anthropic (Python) | `gen_ai.usage.input_tokens` / `prompt_tokens` | yes: it sums `input_tokens + cache_read + cache_creation` | `gen_ai.usage.cache_read_input_tokens` / `gen_ai.usage.cache_creation_input_tokens` (dotted semconv names since semconv-ai 0.5) | [3] |
 * | OpenLLMetry, OpenAI | `gen_ai.usage.prompt_tokens` (= OpenAI `prompt_tokens`) | yes | `gen_ai.usage.cache_read_input_tokens` (= `prompt_tokens_details.cached_tokens`) / none | [3] |
 * | OpenInference | `llm.token_count.prompt` | yes (Python Anthropic sums all three; the JS Bedrock InvokeModel instrumentation does not, and is caught by the correction) | `llm.token_count.prompt_details.cache_read` / `.cache_write` | [4] |
 * | AI SDK v4, OpenAI | `ai.usage.promptTokens` | yes | `ai.response.providerMetadata` `openai.cachedPromptTokens` / none | [5] |
 * | AI SDK v4, Anthropic | `ai.usage.promptTokens` (= Anthropic `input_tokens`) | no | providerMetadata `anthropic.cacheReadInputTokens` / `anthropic.cacheCreationInputTokens` (ai >= 4.3.17 only) | [5] |
 * | AI SDK v5, OpenAI | `ai.usage.inputTokens` (= `prompt_tokens`) | yes | `ai.usage.cachedInputTokens` / none | [6] |
 * | AI SDK v5, Anthropic | `ai.usage.inputTokens` (= Anthropic `input_tokens`) | no | `ai.usage.cachedInputTokens` / providerMetadata `anthropic.cacheCreationInputTokens` (or its raw `anthropic.usage`) | [6] |
 * | AI SDK v6+ (any provider) | `ai.usage.inputTokens` (= `inputTokens.total`) | yes | `ai.usage.inputTokenDetails.cacheReadTokens` / `.cacheWriteTokens` | [7] |
 *
 * Output counts include reasoning everywhere (OpenAI `completion_tokens`, Anthropic
 * `output_tokens`, semconv, OpenInference); where a provider's total shows reasoning was
 * counted beside the output (Gemini through AI SDK v5), it is added.
 *
 * Sources (read through the public-code search, 2026):
 * [1] open-telemetry/semantic-conventions `model/gen-ai/registry.yaml`: input_tokens "SHOULD
 *     include all types of input tokens, including cached tokens"; PR #3163.
 * [2] same repo, `model/gen-ai/deprecated/registry-deprecated.yaml` (prompt_tokens renamed to
 *     input_tokens, gen_ai.system to gen_ai.provider.name and its old values).
 * [3] traceloop/openllmetry: `opentelemetry-instrumentation-anthropic/__init__.py`
 *     (`input_tokens = prompt_tokens + cache_read_tokens + cache_creation_tokens`), its
 *     `tests/test_prompt_caching.py` (input 1167 with 1163 cached), PR #2175, issue #3647,
 *     semconv-ai `MIGRATION.md`; openllmetry-js `ai-semantic-conventions`.
 * [4] Arize-ai/openinference `spec/semantic_conventions.md`; Python anthropic `_wrappers.py`
 *     `_get_llm_token_counts`; PRs #1429, #1465; JS bedrock `invoke-model-response` extractor.
 * [5] vercel/ai 4.x `generate-text.ts` (doGenerate attributes); issues #4335 and #5883
 *     (Anthropic cache counts only in providerMetadata).
 * [6] vercel/ai 5.x `anthropic-messages-language-model.ts` and `openai-chat-language-model.ts`.
 * [7] vercel/ai `convert-anthropic-messages-usage.ts` (total = input + cache creation + cache
 *     read) and the v6 telemetry attributes; PostHog/posthog-js issue #2829.
 */
export { type Convention, detectConvention } from "./detect.js";
export { normaliseSpan } from "./normalise-span.js";
export { billedServiceTier } from "./service-tier.js";
