/**
 * Which telemetry convention a span follows. Checked from the most specific marker to the most
 * general, because conventions borrow each other's names: the AI SDK and OpenLLMetry also set
 * `gen_ai.*` attributes, so `gen_ai.*` alone only means one of the OTel GenAI conventions.
 */

import {
  ATTR_GEN_AI_PREFIX,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
} from "../semconv.js";
import type { Span } from "../span.js";
import { aiSdkOperationId } from "./ai-sdk.js";
import { isAiSdkV4 } from "./ai-sdk-usage.js";
import { hasPrefix, readString } from "./attributes.js";
import { isOpenInference } from "./openinference.js";
import { isOpenLlmetry } from "./openllmetry.js";

/** The conventions the normaliser understands (exposed for metrics and debugging). */
export type Convention =
  | "semconv"
  | "semconv-legacy"
  | "openllmetry"
  | "openinference"
  | "ai-sdk-v4"
  | "ai-sdk-v5";

/** Names that only the GenAI conventions before `gen_ai.provider.name` used. */
const LEGACY_MARKERS = [
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
];

/**
 * The convention a span follows, or `undefined` for spans with no GenAI telemetry (HTTP,
 * database, framework spans). `ai-sdk-v5` stands for v5 and later: those share the
 * `ai.usage.inputTokens` names, and v6's different meaning is told apart by its extra names.
 * A span with both current and deprecated GenAI names is `semconv`.
 * @example detectConvention(spanWithGenAiProviderName) === "semconv"
 */
export function detectConvention(span: Span): Convention | undefined {
  const attributes = span.attributes;
  if (aiSdkOperationId(span) !== "") return isAiSdkV4(attributes) ? "ai-sdk-v4" : "ai-sdk-v5";
  if (isOpenInference(attributes)) return "openinference";
  if (isOpenLlmetry(attributes)) return "openllmetry";
  if (readString(attributes, ATTR_GEN_AI_PROVIDER_NAME) !== "") return "semconv";
  if (LEGACY_MARKERS.some((key) => attributes[key] !== undefined)) return "semconv-legacy";
  if (hasPrefix(attributes, ATTR_GEN_AI_PREFIX)) return "semconv";
  return undefined;
}
