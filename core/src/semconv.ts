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
/** True when token usage was estimated by a tokenizer rather than reported. */
export const ATTR_BURNRATE_USAGE_ESTIMATED = "burnrate.usage.estimated" as const;
/** The service tier the request asked for, e.g. `batch`, `flex`, `priority`. */
export const ATTR_BURNRATE_REQUEST_SERVICE_TIER = "burnrate.request.service_tier" as const;
/** The OpenAI service tier the request asked for. */
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = "openai.request.service_tier" as const;
