/**
 * OpenLLMetry (Traceloop, `traceloop/openllmetry` and `openllmetry-js`). Its LLM spans carry
 * `llm.request.type` and the deprecated `gen_ai.*` names; its cache counts were its own
 * `gen_ai.usage.cache_*_input_tokens` (underscores) until semconv added dotted names. Spans
 * made by its `@workflow`/`@task`/`@agent`/`@tool` decorators carry `traceloop.span.kind` and
 * are wrappers, not model calls.
 */

import {
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
  ATTR_LLM_REQUEST_MODEL,
  ATTR_LLM_REQUEST_TYPE,
  ATTR_LLM_RESPONSE_MODEL,
  ATTR_LLM_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_LLM_USAGE_COMPLETION_TOKENS,
  ATTR_LLM_USAGE_PROMPT_TOKENS,
  ATTR_LLM_USAGE_REASONING_TOKENS,
  ATTR_LLM_USAGE_TOTAL_TOKENS,
  ATTR_LLM_VENDOR,
  ATTR_OPENLLMETRY_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_REASONING_TOKENS,
  ATTR_TRACELOOP_ASSOCIATION_SESSION_ID,
  ATTR_TRACELOOP_ASSOCIATION_TENANT_ID,
  ATTR_TRACELOOP_ASSOCIATION_USER_ID,
  ATTR_TRACELOOP_PREFIX,
  ATTR_TRACELOOP_SPAN_KIND,
  ATTR_TRACELOOP_WORKFLOW_NAME,
} from "../semconv.js";
import type { Attributes, Span } from "../span.js";
import { hasPrefix, readString } from "./attributes.js";
import { type GenAiNames, readGenAiStyle } from "./gen-ai.js";
import type { ConventionReading } from "./reading.js";

/** OpenLLMetry's names before the deprecated `gen_ai.*` ones, and the `llm.*` names of its first releases. */
const OPENLLMETRY_NAMES: GenAiNames = {
  provider: [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM, ATTR_LLM_VENDOR],
  requestModel: [ATTR_GEN_AI_REQUEST_MODEL, ATTR_LLM_REQUEST_MODEL],
  responseModel: [ATTR_GEN_AI_RESPONSE_MODEL, ATTR_LLM_RESPONSE_MODEL],
  input: [ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_PROMPT_TOKENS, ATTR_LLM_USAGE_PROMPT_TOKENS],
  output: [
    ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
    ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
    ATTR_LLM_USAGE_COMPLETION_TOKENS,
  ],
  cacheRead: [
    ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    ATTR_OPENLLMETRY_USAGE_CACHE_READ_INPUT_TOKENS,
    ATTR_LLM_USAGE_CACHE_READ_INPUT_TOKENS,
  ],
  cacheWrite: [
    ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    ATTR_OPENLLMETRY_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ],
  reasoning: [
    ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    ATTR_OPENLLMETRY_USAGE_REASONING_TOKENS,
    ATTR_LLM_USAGE_REASONING_TOKENS,
  ],
  total: [ATTR_LLM_USAGE_TOTAL_TOKENS],
};

/**
 * `llm.request.type` values mapped to `gen_ai.operation.name` values. A Map, because the key
 * comes from the span: on an object, `constructor` would find Object.prototype's function.
 */
const OPERATIONS: ReadonlyMap<string, string> = new Map([
  ["chat", "chat"],
  ["completion", "text_completion"],
  ["embedding", "embeddings"],
  ["rerank", "rerank"],
]);

/**
 * The operation from `llm.request.type`, or `""` when unset. The Python Anthropic
 * instrumentation tags Messages API calls `completion` but names them `anthropic.chat`, so a
 * `.chat` span name wins.
 */
function operationOf(span: Span): string {
  const requestType = readString(span.attributes, ATTR_LLM_REQUEST_TYPE).toLowerCase();
  if (requestType === "") return "";
  if (span.name.endsWith(".chat")) return "chat";
  return OPERATIONS.get(requestType) ?? "chat";
}

/** Markers only OpenLLMetry sets (the `traceloop.*` prefix is checked separately). */
const MARKERS = [
  ATTR_LLM_REQUEST_TYPE,
  ATTR_LLM_USAGE_TOTAL_TOKENS,
  ATTR_LLM_VENDOR,
  ATTR_OPENLLMETRY_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_OPENLLMETRY_USAGE_CACHE_CREATION_INPUT_TOKENS,
];

/** Whether a span was made by OpenLLMetry. */
export function isOpenLlmetry(attributes: Attributes): boolean {
  return MARKERS.some((key) => attributes[key] !== undefined) || hasPrefix(attributes, ATTR_TRACELOOP_PREFIX);
}

/**
 * Reads an OpenLLMetry span; `undefined` for decorator (workflow, task, agent, tool) spans.
 * Attribution comes from the app's association properties, and the workflow name stands in
 * for the feature, because a Traceloop workflow is the app's name for what it is doing.
 * @example readOpenLlmetry(anthropicChatSpan)?.operation === "chat"
 */
export function readOpenLlmetry(span: Span): ConventionReading | undefined {
  const attributes = span.attributes;
  if (readString(attributes, ATTR_TRACELOOP_SPAN_KIND) !== "") return undefined;
  const operation = readString(attributes, ATTR_GEN_AI_OPERATION_NAME) || operationOf(span);
  return readGenAiStyle(span, OPENLLMETRY_NAMES, operation, {
    user: readString(attributes, ATTR_TRACELOOP_ASSOCIATION_USER_ID),
    sessionId: readString(attributes, ATTR_TRACELOOP_ASSOCIATION_SESSION_ID),
    tenant: readString(attributes, ATTR_TRACELOOP_ASSOCIATION_TENANT_ID),
    feature: readString(attributes, ATTR_TRACELOOP_WORKFLOW_NAME),
  });
}
