/**
 * The service tier a call was billed at (`batch`, `flex`, `priority`, `default`, ...), which
 * changes its price.
 */

import {
  ATTR_BURNRATE_REQUEST_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
} from "../semconv.js";
import type { Attributes } from "../span.js";
import { firstString } from "./attributes.js";

/** OpenAI's request value meaning "let the provider choose"; it names no price. */
const AUTO = "auto";

/**
 * The tier from `burnrate.request.service_tier`, `openai.request.service_tier` or the older
 * `gen_ai.openai.request.service_tier`. When the request asked for `auto` (or named nothing),
 * the tier the response reports is used instead, then the convention's own (`fromConvention`).
 * @example resolveServiceTier({ [ATTR_OPENAI_REQUEST_SERVICE_TIER]: "flex" }) === "flex"
 */
export function resolveServiceTier(attributes: Attributes, fromConvention = ""): string {
  const requested = firstString(attributes, [
    ATTR_BURNRATE_REQUEST_SERVICE_TIER,
    ATTR_OPENAI_REQUEST_SERVICE_TIER,
    ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
  ]);
  if (requested !== "" && requested.toLowerCase() !== AUTO) return requested;
  const served = firstString(attributes, [
    ATTR_OPENAI_RESPONSE_SERVICE_TIER,
    ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ]);
  return served || fromConvention || requested;
}
