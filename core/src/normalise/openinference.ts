/**
 * OpenInference (Arize, `Arize-ai/openinference`). Every span names its kind in
 * `openinference.span.kind`; only `LLM` spans are model calls. `CHAIN`, `AGENT` and `TOOL`
 * spans wrap them, and counting those would count tokens twice.
 */

import {
  ATTR_AGENT_NAME,
  ATTR_LLM_INVOCATION_PARAMETERS,
  ATTR_LLM_MODEL_NAME,
  ATTR_LLM_PROVIDER,
  ATTR_LLM_REQUEST_MODEL_NAME,
  ATTR_LLM_RESPONSE_MODEL_NAME,
  ATTR_LLM_SYSTEM,
  ATTR_LLM_TOKEN_COUNT_COMPLETION,
  ATTR_LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING,
  ATTR_LLM_TOKEN_COUNT_PROMPT,
  ATTR_LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ,
  ATTR_LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE,
  ATTR_LLM_TOKEN_COUNT_TOTAL,
  ATTR_OPENINFERENCE_SPAN_KIND,
} from "../semconv.js";
import type { Attributes, Span } from "../span.js";
import { readCount, readObject, readString } from "./attributes.js";
import { providerFromHostAndSystem } from "./provider.js";
import type { ConventionReading } from "./reading.js";
import { toTokenUsage } from "./usage.js";

/** The span kind of a model call. */
const LLM_KIND = "LLM";

/** OpenInference has no operation attribute; its LLM spans are chat and completion calls. */
const OPERATION = "chat";

/** Whether a span follows OpenInference. */
export function isOpenInference(attributes: Attributes): boolean {
  return readString(attributes, ATTR_OPENINFERENCE_SPAN_KIND) !== "";
}

/**
 * Reads an OpenInference `LLM` span; `undefined` for every other kind. Its prompt count
 * includes cache reads and writes (the spec calls `cache_read` "prompt tokens successfully
 * retrieved from cache"), and its completion count includes reasoning.
 * @example readOpenInference(llmSpan)?.provider === "azure.ai.openai" // llm.provider azure, llm.system openai
 */
export function readOpenInference(span: Span): ConventionReading | undefined {
  const attributes = span.attributes;
  if (readString(attributes, ATTR_OPENINFERENCE_SPAN_KIND).toUpperCase() !== LLM_KIND) return undefined;
  // Instrumentations set llm.model_name from the request, then overwrite it with the
  // response's model, so it stands for whichever of the two is missing.
  const modelName = readString(attributes, ATTR_LLM_MODEL_NAME);
  return {
    provider: providerFromHostAndSystem(
      readString(attributes, ATTR_LLM_PROVIDER),
      readString(attributes, ATTR_LLM_SYSTEM),
    ),
    operation: OPERATION,
    requestModel:
      readString(attributes, ATTR_LLM_REQUEST_MODEL_NAME) || invocationModel(attributes) || modelName,
    responseModel: readString(attributes, ATTR_LLM_RESPONSE_MODEL_NAME) || modelName,
    tokens: toTokenUsage({
      input: readCount(attributes, ATTR_LLM_TOKEN_COUNT_PROMPT) ?? 0,
      output: readCount(attributes, ATTR_LLM_TOKEN_COUNT_COMPLETION) ?? 0,
      cacheRead: readCount(attributes, ATTR_LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ) ?? 0,
      cacheWrite: readCount(attributes, ATTR_LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE) ?? 0,
      reasoning: readCount(attributes, ATTR_LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING) ?? 0,
      total: readCount(attributes, ATTR_LLM_TOKEN_COUNT_TOTAL),
      inputIncludesCache: true,
      outputIncludesReasoning: true,
    }),
    // user.id and session.id are general OTel attributes, read for every convention.
    attribution: { agent: readString(attributes, ATTR_AGENT_NAME) },
  };
}

/** The `model` field of `llm.invocation_parameters`, which holds the request as sent. */
function invocationModel(attributes: Attributes): string {
  const model = readObject(attributes, ATTR_LLM_INVOCATION_PARAMETERS)?.model;
  return typeof model === "string" ? model.trim() : "";
}
