/**
 * The Vercel AI SDK's built-in telemetry (`experimental_telemetry`). Each call makes an outer
 * span (`ai.generateText`, `ai.streamText`, `ai.embed`, ...) that sums the usage of its steps,
 * and one inner span per provider call (`ai.generateText.doGenerate`, `ai.streamText.doStream`,
 * `ai.embed.doEmbed`, ...). Only the inner spans are model calls; counting the outer ones too
 * would bill every token twice. Tool spans (`ai.toolCall`) are not model calls either.
 */

import {
  ATTR_AI_MODEL_ID,
  ATTR_AI_MODEL_PROVIDER,
  ATTR_AI_OPERATION_ID,
  ATTR_AI_RESPONSE_MODEL,
  ATTR_AI_RESPONSE_PROVIDER_METADATA,
  ATTR_AI_TELEMETRY_FUNCTION_ID,
  ATTR_AI_TELEMETRY_METADATA_SESSION_ID,
  ATTR_AI_TELEMETRY_METADATA_TENANT_ID,
  ATTR_AI_TELEMETRY_METADATA_USER_ID,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
} from "../semconv.js";
import type { Attributes, Span } from "../span.js";
import { aiSdkTokens } from "./ai-sdk-usage.js";
import { asObject, firstString, readObject, readString } from "./attributes.js";
import { normaliseProvider } from "./provider.js";
import type { ConventionReading } from "./reading.js";

/** Operation ids of provider calls: `ai.<function>.doGenerate`, `.doStream` or `.doEmbed`. */
const PROVIDER_CALL = /^ai\.[A-Za-z]+\.do(Generate|Stream|Embed)$/;
const EMBEDDING_CALL = /\.doEmbed$/;
/** Span names the SDK gives its spans, used when `ai.operationId` was stripped. */
const SDK_SPAN_NAME = /^ai\.[A-Za-z]+(\.[A-Za-z]+)?$/;
/** Provider ids of legacy completion models end in `.completion` (e.g. `openai.completion`). */
const COMPLETION_PROVIDER = /\.completion$/;
/** `ai.response.providerMetadata` keys: the OpenAI block and its service-tier field. */
const OPENAI_METADATA = "openai";
const SERVICE_TIER_METADATA = "serviceTier";

/**
 * The SDK operation a span records, from `ai.operationId` or, failing that, from a span name
 * such as `ai.streamText.doStream` on a span that also names an SDK model; `""` otherwise.
 */
export function aiSdkOperationId(span: Span): string {
  const operationId = readString(span.attributes, ATTR_AI_OPERATION_ID);
  if (operationId !== "") return operationId;
  const namesModel =
    span.attributes[ATTR_AI_MODEL_ID] !== undefined || span.attributes[ATTR_AI_MODEL_PROVIDER] !== undefined;
  return namesModel && SDK_SPAN_NAME.test(span.name) ? span.name : "";
}

/**
 * Reads an AI SDK provider-call span; `undefined` for outer, tool and other SDK spans.
 * Attribution comes from the app's `experimental_telemetry.metadata` (`userId`, `sessionId`,
 * `tenantId`); its `functionId` names the call site, so it stands in for the feature.
 * @example readAiSdk(doGenerateSpan)?.operation === "chat"
 */
export function readAiSdk(span: Span): ConventionReading | undefined {
  const operationId = aiSdkOperationId(span);
  if (!PROVIDER_CALL.test(operationId)) return undefined;
  const attributes = span.attributes;
  const providerId = firstString(attributes, [
    ATTR_AI_MODEL_PROVIDER,
    ATTR_GEN_AI_PROVIDER_NAME,
    ATTR_GEN_AI_SYSTEM,
  ]);
  const metadata = readObject(attributes, ATTR_AI_RESPONSE_PROVIDER_METADATA) ?? {};
  return {
    provider: normaliseProvider(providerId),
    operation: operationOf(operationId, providerId),
    requestModel: firstString(attributes, [ATTR_AI_MODEL_ID, ATTR_GEN_AI_REQUEST_MODEL]),
    responseModel: firstString(attributes, [ATTR_AI_RESPONSE_MODEL, ATTR_GEN_AI_RESPONSE_MODEL]),
    tokens: aiSdkTokens(attributes, providerId, metadata),
    attribution: attributionOf(attributes),
    serviceTier: openAiServiceTier(metadata),
  };
}

function operationOf(operationId: string, providerId: string): string {
  if (EMBEDDING_CALL.test(operationId)) return "embeddings";
  return COMPLETION_PROVIDER.test(providerId) ? "text_completion" : "chat";
}

function attributionOf(attributes: Attributes): ConventionReading["attribution"] {
  return {
    user: readString(attributes, ATTR_AI_TELEMETRY_METADATA_USER_ID),
    sessionId: readString(attributes, ATTR_AI_TELEMETRY_METADATA_SESSION_ID),
    tenant: readString(attributes, ATTR_AI_TELEMETRY_METADATA_TENANT_ID),
    feature: readString(attributes, ATTR_AI_TELEMETRY_FUNCTION_ID),
  };
}

/** The tier OpenAI says served the call, which the SDK passes on in the provider metadata. */
function openAiServiceTier(metadata: Record<string, unknown>): string {
  const tier = asObject(metadata[OPENAI_METADATA])?.[SERVICE_TIER_METADATA];
  return typeof tier === "string" ? tier.trim() : "";
}
