/**
 * The dispatcher: detects a span's convention, lets that convention's reader extract what
 * differs between conventions, and fills in everything that does not.
 */
import type { LlmCall } from "../llm-call.js";
import {
  ATTR_BURNRATE_PROMPT_FINGERPRINT,
  ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS,
  ATTR_BURNRATE_USAGE_ESTIMATED,
  ATTR_SERVICE_NAME,
} from "../semconv.js";
import type { Span } from "../span.js";
import { readAiSdk } from "./ai-sdk.js";
import { readBoolean, readString, readStringArray } from "./attributes.js";
import { resolveAttribution } from "./attribution.js";
import { providerCost } from "./cost.js";
import { type Convention, detectConvention } from "./detect.js";
import { readGenAi } from "./gen-ai.js";
import { readOpenInference } from "./openinference.js";
import { readOpenLlmetry } from "./openllmetry.js";
import type { ConventionReading } from "./reading.js";
import { resolveServiceTier } from "./service-tier.js";
import { callStatus } from "./status.js";

const READERS: Readonly<Record<Convention, (span: Span) => ConventionReading | undefined>> = {
  semconv: readGenAi,
  "semconv-legacy": readGenAi,
  openllmetry: readOpenLlmetry,
  openinference: readOpenInference,
  "ai-sdk-v4": readAiSdk,
  "ai-sdk-v5": readAiSdk,
};

/**
 * Returns the normalised LLM call for a span, or undefined when the span is not an LLM call
 * (agent, tool, HTTP, and wrapper spans). Never throws on malformed attributes.
 * @example
 * const call = normaliseSpan(span, "proj_1");
 * if (call) console.log(call.provider, call.tokens.input, call.cost.source); // "anthropic" 2302 "unpriced"
 */
export function normaliseSpan(span: Span, projectId: string): LlmCall | undefined {
  const convention = detectConvention(span);
  const reading = convention === undefined ? undefined : READERS[convention](span);
  if (reading === undefined) return undefined;
  const attributes = span.attributes;
  const duration = span.endTimeUnixNano - span.startTimeUnixNano;
  return {
    projectId,
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    startTimeUnixNano: span.startTimeUnixNano,
    durationNs: duration > 0n ? duration : 0n,
    service: readString(span.resource, ATTR_SERVICE_NAME),
    ...resolveAttribution(span, reading.attribution),
    provider: reading.provider,
    operation: reading.operation,
    requestModel: reading.requestModel,
    responseModel: reading.responseModel,
    serviceTier: resolveServiceTier(attributes, reading.serviceTier),
    tokens: reading.tokens,
    cost: providerCost(attributes),
    estimated: readBoolean(attributes, ATTR_BURNRATE_USAGE_ESTIMATED),
    promptFingerprint: readString(attributes, ATTR_BURNRATE_PROMPT_FINGERPRINT),
    toolCallFingerprints: readStringArray(attributes, ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS),
    ...callStatus(span),
  };
}
