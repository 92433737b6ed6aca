/**
 * Attribute names. Every name Burnrate reads or writes lives here, once, with a doc line.
 * Code and tests import these constants; no raw attribute string appears elsewhere.
 *
 * The `gen_ai.*` names follow the OpenTelemetry GenAI semantic conventions v1.41.
 */

// --- OpenTelemetry GenAI semantic conventions (v1.41) ---

/** The provider as identified by the instrumentation, e.g. `openai`, `anthropic`. */
export const ATTR_GEN_AI_PROVIDER_NAME = "gen_ai.provider.name" as const;
/** The operation requested, e.g. `chat`, `embeddings`, `invoke_agent`, `execute_tool`. */
export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name" as const;
/** The model name the request asked for. */
export const ATTR_GEN_AI_REQUEST_MODEL = "gen_ai.request.model" as const;
/** The model name the provider says answered. */
export const ATTR_GEN_AI_RESPONSE_MODEL = "gen_ai.response.model" as const;
/** The provider's id for the completion. */
export const ATTR_GEN_AI_RESPONSE_ID = "gen_ai.response.id" as const;
/** Why generation stopped, one per choice. */
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons" as const;
/** Input tokens, including cached input tokens. */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens" as const;
/** Output tokens, including reasoning tokens. */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens" as const;
/** Input tokens served from the provider's prompt cache. */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens" as const;
/** Input tokens written into the provider's prompt cache. */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS =
  "gen_ai.usage.cache_creation.input_tokens" as const;
/** Output tokens spent on reasoning. */
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens" as const;
/** The conversation (session) the call belongs to. */
export const ATTR_GEN_AI_CONVERSATION_ID = "gen_ai.conversation.id" as const;
/** The human-readable name of the agent. */
export const ATTR_GEN_AI_AGENT_NAME = "gen_ai.agent.name" as const;
/** The tool being executed. */
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name" as const;
/** The id of the tool call being executed. */
export const ATTR_GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id" as const;
/** Chat history sent to the model, as JSON. Only captured on opt-in. */
export const ATTR_GEN_AI_INPUT_MESSAGES = "gen_ai.input.messages" as const;
/** Messages returned by the model, as JSON. Only captured on opt-in. */
export const ATTR_GEN_AI_OUTPUT_MESSAGES = "gen_ai.output.messages" as const;
/** The class of error that ended the operation. */
export const ATTR_ERROR_TYPE = "error.type" as const;

// --- Proposed GenAI cost attributes ---

/** The cost of the call, as a decimal string or number. */
export const ATTR_GEN_AI_USAGE_COST_AMOUNT = "gen_ai.usage.cost.amount" as const;
/** The ISO 4217 currency of the cost. Burnrate always emits `USD`. */
export const ATTR_GEN_AI_USAGE_COST_CURRENCY = "gen_ai.usage.cost.currency" as const;
/** Where the cost came from: `provider`, `computed`, `local` or `unpriced`. */
export const ATTR_GEN_AI_USAGE_COST_SOURCE = "gen_ai.usage.cost.source" as const;

// --- OpenTelemetry resource and service ---

/** The logical name of the service. */
export const ATTR_SERVICE_NAME = "service.name" as const;

// --- Burnrate's own attributes ---

/** The product feature that made the call. */
export const ATTR_BURNRATE_FEATURE = "burnrate.feature" as const;
/** The end user on whose behalf the call was made. */
export const ATTR_BURNRATE_USER = "burnrate.user" as const;
/** The tenant (customer account) on whose behalf the call was made. */
export const ATTR_BURNRATE_TENANT = "burnrate.tenant" as const;
/** The session, when attribution sets one; `gen_ai.conversation.id` wins when both are present. */
export const ATTR_BURNRATE_SESSION = "burnrate.session" as const;
/** A label for the kind of task, used when suggesting routing. */
export const ATTR_BURNRATE_TASK_TYPE = "burnrate.task_type" as const;
/** A hash of the canonicalised prompt, model and tools. Never content. */
export const ATTR_BURNRATE_PROMPT_FINGERPRINT = "burnrate.prompt.fingerprint" as const;
/** Hashes of the tool calls the model requested (name + canonical arguments). */
export const ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS = "burnrate.tool_call.fingerprints" as const;
/** A digest of a tool's result, for no-progress detection. Never the result. */
export const ATTR_BURNRATE_TOOL_RESULT_DIGEST = "burnrate.tool.result_digest" as const;
/**
 * Of `gen_ai.usage.cache_creation.input_tokens`, those written to a one-hour cache (Anthropic's
 * `ttl: "1h"`), which cost more than five-minute cache writes.
 */
export const ATTR_BURNRATE_USAGE_CACHE_CREATION_1H_INPUT_TOKENS =
  "burnrate.usage.cache_creation_1h.input_tokens" as const;
/**
 * Of `gen_ai.usage.input_tokens`, those that were audio, which audio models (`gpt-audio`) bill at
 * their own rate.
 */
export const ATTR_BURNRATE_USAGE_AUDIO_INPUT_TOKENS = "burnrate.usage.audio.input_tokens" as const;
/** Of `gen_ai.usage.output_tokens`, those that were audio, billed at the model's audio output rate. */
export const ATTR_BURNRATE_USAGE_AUDIO_OUTPUT_TOKENS = "burnrate.usage.audio.output_tokens" as const;
/** Web searches the provider ran server-side for the call, each billed a fee on top of the tokens. */
export const ATTR_BURNRATE_USAGE_WEB_SEARCH_REQUESTS = "burnrate.usage.web_search.requests" as const;
/** True when token usage was estimated by a tokenizer rather than reported. */
export const ATTR_BURNRATE_USAGE_ESTIMATED = "burnrate.usage.estimated" as const;
/** The service tier the request asked for, e.g. `batch`, `flex`, `priority`. */
export const ATTR_BURNRATE_REQUEST_SERVICE_TIER = "burnrate.request.service_tier" as const;
/** The OpenAI service tier the request asked for. */
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = "openai.request.service_tier" as const;

// --- OpenTelemetry GenAI: deprecated names (still emitted widely) and extras the normaliser reads ---

/** Prefix shared by every GenAI attribute; its presence marks a span as GenAI telemetry. */
export const ATTR_GEN_AI_PREFIX = "gen_ai." as const;
/** The provider, before `gen_ai.provider.name` replaced it, e.g. `openai`, `Anthropic`, `az.ai.openai`. */
export const ATTR_GEN_AI_SYSTEM = "gen_ai.system" as const;
/** Input tokens, before `gen_ai.usage.input_tokens` replaced it. */
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = "gen_ai.usage.prompt_tokens" as const;
/** Output tokens, before `gen_ai.usage.output_tokens` replaced it. */
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = "gen_ai.usage.completion_tokens" as const;
/** The OpenAI service tier requested, before `openai.request.service_tier` replaced it. */
export const ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER = "gen_ai.openai.request.service_tier" as const;
/** The OpenAI service tier that served the call, before `openai.response.service_tier` replaced it. */
export const ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER = "gen_ai.openai.response.service_tier" as const;
/** The OpenAI service tier that served the call. */
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = "openai.response.service_tier" as const;

// --- OpenTelemetry exceptions ---

/** The name of the span event that records an exception. */
export const EVENT_EXCEPTION = "exception" as const;
/** The class of the exception recorded by an `exception` event. */
export const ATTR_EXCEPTION_TYPE = "exception.type" as const;

// --- OpenLLMetry (Traceloop) ---

/** The kind of LLM request: `chat`, `completion`, `embedding`, `rerank`. */
export const ATTR_LLM_REQUEST_TYPE = "llm.request.type" as const;
/** Input plus output tokens. */
export const ATTR_LLM_USAGE_TOTAL_TOKENS = "llm.usage.total_tokens" as const;
/** Input tokens, as the earliest OpenLLMetry releases named them. */
export const ATTR_LLM_USAGE_PROMPT_TOKENS = "llm.usage.prompt_tokens" as const;
/** Output tokens, as the earliest OpenLLMetry releases named them. */
export const ATTR_LLM_USAGE_COMPLETION_TOKENS = "llm.usage.completion_tokens" as const;
/** The provider, as the earliest OpenLLMetry releases named it. */
export const ATTR_LLM_VENDOR = "llm.vendor" as const;
/** The requested model, as the earliest OpenLLMetry releases named it. */
export const ATTR_LLM_REQUEST_MODEL = "llm.request.model" as const;
/** The answering model, as the earliest OpenLLMetry releases named it. */
export const ATTR_LLM_RESPONSE_MODEL = "llm.response.model" as const;
/** Input tokens read from the prompt cache (OpenLLMetry's name before semconv added one). */
export const ATTR_OPENLLMETRY_USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read_input_tokens" as const;
/** Input tokens written to the prompt cache (OpenLLMetry's name before semconv added one). */
export const ATTR_OPENLLMETRY_USAGE_CACHE_CREATION_INPUT_TOKENS =
  "gen_ai.usage.cache_creation_input_tokens" as const;
/** Input tokens written to the prompt cache, as the Anthropic SDK's own tracing names them. */
export const ATTR_ANTHROPIC_SDK_USAGE_CACHE_WRITE_INPUT_TOKENS =
  "gen_ai.usage.cache_write.input_tokens" as const;
/** The one-hour part of the cache writes, as the Anthropic SDK's own tracing names it. */
export const ATTR_ANTHROPIC_SDK_USAGE_CACHE_WRITE_1H_INPUT_TOKENS =
  "anthropic.usage.cache_creation.ephemeral_1h_input_tokens" as const;
/** Output tokens spent on reasoning (OpenLLMetry's name). */
export const ATTR_OPENLLMETRY_USAGE_REASONING_TOKENS = "gen_ai.usage.reasoning_tokens" as const;
/** Input tokens read from the prompt cache, under the `llm.*` namespace. */
export const ATTR_LLM_USAGE_CACHE_READ_INPUT_TOKENS = "llm.usage.cache_read_input_tokens" as const;
/** Output tokens spent on reasoning, under the `llm.*` namespace. */
export const ATTR_LLM_USAGE_REASONING_TOKENS = "llm.usage.reasoning_tokens" as const;
/** Prefix of every Traceloop attribute; its presence marks a span as OpenLLMetry telemetry. */
export const ATTR_TRACELOOP_PREFIX = "traceloop." as const;
/** The kind of a decorated span: `workflow`, `task`, `agent`, `tool`. Never set on LLM spans. */
export const ATTR_TRACELOOP_SPAN_KIND = "traceloop.span.kind" as const;
/** The workflow the span runs in; propagated to every child span. */
export const ATTR_TRACELOOP_WORKFLOW_NAME = "traceloop.workflow.name" as const;
/** The end user, when the app sets it as a Traceloop association property. */
export const ATTR_TRACELOOP_ASSOCIATION_USER_ID = "traceloop.association.properties.user_id" as const;
/** The session, when the app sets it as a Traceloop association property. */
export const ATTR_TRACELOOP_ASSOCIATION_SESSION_ID = "traceloop.association.properties.session_id" as const;
/** The tenant, when the app sets it as a Traceloop association property. */
export const ATTR_TRACELOOP_ASSOCIATION_TENANT_ID = "traceloop.association.properties.tenant_id" as const;

// --- OpenInference (Arize) ---

/** The kind of span: `LLM`, `CHAIN`, `AGENT`, `TOOL`, `EMBEDDING`, `RETRIEVER`, ... */
export const ATTR_OPENINFERENCE_SPAN_KIND = "openinference.span.kind" as const;
/** The model; instrumentations overwrite the requested name with the answering one. */
export const ATTR_LLM_MODEL_NAME = "llm.model_name" as const;
/** The model the request asked for. */
export const ATTR_LLM_REQUEST_MODEL_NAME = "llm.request.model_name" as const;
/** The model the provider says answered. */
export const ATTR_LLM_RESPONSE_MODEL_NAME = "llm.response.model_name" as const;
/** The request parameters as JSON, including `model`. */
export const ATTR_LLM_INVOCATION_PARAMETERS = "llm.invocation_parameters" as const;
/** The hosting provider, e.g. `openai`, `azure`, `aws`, `google`. */
export const ATTR_LLM_PROVIDER = "llm.provider" as const;
/** The AI product, e.g. `openai`, `anthropic`, `vertexai`. */
export const ATTR_LLM_SYSTEM = "llm.system" as const;
/** Prompt tokens, cached ones included. */
export const ATTR_LLM_TOKEN_COUNT_PROMPT = "llm.token_count.prompt" as const;
/** Completion tokens, reasoning included. */
export const ATTR_LLM_TOKEN_COUNT_COMPLETION = "llm.token_count.completion" as const;
/** Prompt plus completion tokens. */
export const ATTR_LLM_TOKEN_COUNT_TOTAL = "llm.token_count.total" as const;
/** Prompt tokens served from the cache. */
export const ATTR_LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ =
  "llm.token_count.prompt_details.cache_read" as const;
/** Prompt tokens written to the cache. */
export const ATTR_LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE =
  "llm.token_count.prompt_details.cache_write" as const;
/** Completion tokens spent on reasoning. */
export const ATTR_LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING =
  "llm.token_count.completion_details.reasoning" as const;
/** The whole cost of the call in USD. */
export const ATTR_LLM_COST_TOTAL = "llm.cost.total" as const;
/** The cost of the prompt in USD. */
export const ATTR_LLM_COST_PROMPT = "llm.cost.prompt" as const;
/** The cost of the completion in USD. */
export const ATTR_LLM_COST_COMPLETION = "llm.cost.completion" as const;
/** The session the span belongs to (a general OTel attribute that OpenInference uses). */
export const ATTR_SESSION_ID = "session.id" as const;
/** The end user the span ran for (a general OTel attribute that OpenInference uses). */
export const ATTR_USER_ID = "user.id" as const;
/** The agent the span ran in. */
export const ATTR_AGENT_NAME = "agent.name" as const;

// --- Vercel AI SDK ---

/** The SDK operation, e.g. `ai.generateText` (outer) or `ai.generateText.doGenerate` (provider call). */
export const ATTR_AI_OPERATION_ID = "ai.operationId" as const;
/** The model id the app asked for. */
export const ATTR_AI_MODEL_ID = "ai.model.id" as const;
/** The SDK provider id, e.g. `openai.chat`, `anthropic.messages`, `google.vertex.chat`. */
export const ATTR_AI_MODEL_PROVIDER = "ai.model.provider" as const;
/** The model the provider says answered. */
export const ATTR_AI_RESPONSE_MODEL = "ai.response.model" as const;
/** Provider-specific response metadata as JSON (cache and reasoning counts live here in v4). */
export const ATTR_AI_RESPONSE_PROVIDER_METADATA = "ai.response.providerMetadata" as const;
/** The app's name for the call site, set through `experimental_telemetry.functionId`. */
export const ATTR_AI_TELEMETRY_FUNCTION_ID = "ai.telemetry.functionId" as const;
/** The end user, when the app puts `userId` in `experimental_telemetry.metadata`. */
export const ATTR_AI_TELEMETRY_METADATA_USER_ID = "ai.telemetry.metadata.userId" as const;
/** The session, when the app puts `sessionId` in `experimental_telemetry.metadata`. */
export const ATTR_AI_TELEMETRY_METADATA_SESSION_ID = "ai.telemetry.metadata.sessionId" as const;
/** The tenant, when the app puts `tenantId` in `experimental_telemetry.metadata`. */
export const ATTR_AI_TELEMETRY_METADATA_TENANT_ID = "ai.telemetry.metadata.tenantId" as const;
/** Input tokens (SDK v4). */
export const ATTR_AI_USAGE_PROMPT_TOKENS = "ai.usage.promptTokens" as const;
/** Output tokens (SDK v4). */
export const ATTR_AI_USAGE_COMPLETION_TOKENS = "ai.usage.completionTokens" as const;
/** Tokens embedded by `embed` and `embedMany`. */
export const ATTR_AI_USAGE_TOKENS = "ai.usage.tokens" as const;
/** Input tokens (SDK v5+); whether cached tokens are included depends on the version and provider. */
export const ATTR_AI_USAGE_INPUT_TOKENS = "ai.usage.inputTokens" as const;
/** Output tokens (SDK v5+). */
export const ATTR_AI_USAGE_OUTPUT_TOKENS = "ai.usage.outputTokens" as const;
/** Input plus output tokens as the provider reported them (SDK v5+). */
export const ATTR_AI_USAGE_TOTAL_TOKENS = "ai.usage.totalTokens" as const;
/** Output tokens spent on reasoning (SDK v5+). */
export const ATTR_AI_USAGE_REASONING_TOKENS = "ai.usage.reasoningTokens" as const;
/** Input tokens read from the prompt cache (SDK v5+). */
export const ATTR_AI_USAGE_CACHED_INPUT_TOKENS = "ai.usage.cachedInputTokens" as const;
/** Input tokens neither read from nor written to the cache (SDK v6+). */
export const ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_NO_CACHE_TOKENS =
  "ai.usage.inputTokenDetails.noCacheTokens" as const;
/** Input tokens read from the prompt cache (SDK v6+). */
export const ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_CACHE_READ_TOKENS =
  "ai.usage.inputTokenDetails.cacheReadTokens" as const;
/** Input tokens written to the prompt cache (SDK v6+). */
export const ATTR_AI_USAGE_INPUT_TOKEN_DETAILS_CACHE_WRITE_TOKENS =
  "ai.usage.inputTokenDetails.cacheWriteTokens" as const;
/** Output tokens spent on reasoning (SDK v6+). */
export const ATTR_AI_USAGE_OUTPUT_TOKEN_DETAILS_REASONING_TOKENS =
  "ai.usage.outputTokenDetails.reasoningTokens" as const;

// --- Burnrate guard events ---

/** Span event recorded when a local guard stops a call before it is sent. */
export const EVENT_BURNRATE_GUARD_STOP = "burnrate.guard.stop" as const;
/**
 * What the guard measured: `cost_usd`, `calls`, `tokens`, `identical_calls`, `cycle_repeats`, and
 * for a collector's kill also `ping_pong_rounds`, `same_results`, `usd_per_minute`, `age_seconds`.
 */
export const ATTR_BURNRATE_GUARD_MEASURE = "burnrate.guard.measure" as const;
/** How much of the measure the run had used. */
export const ATTR_BURNRATE_GUARD_SPENT = "burnrate.guard.spent" as const;
/** The limit the guard enforces. */
export const ATTR_BURNRATE_GUARD_LIMIT = "burnrate.guard.limit" as const;
