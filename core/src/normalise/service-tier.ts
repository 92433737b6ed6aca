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
/** The Batch API's tier: its responses do not report it, so the request's word stands. */
const BATCH = "batch";

/**
 * The tier a call is billed at: the tier the response says it was served at, which can be
 * lower than the one requested (OpenAI serves a `priority` request at `default`, and bills
 * it so, when priority capacity runs out), else the requested one. A `batch` request keeps
 * its tier.
 * @example billedServiceTier("priority", "default") === "default"
 */
export function billedServiceTier(requested: string, served: string): string {
  if (requested.toLowerCase() === BATCH) return requested;
  return served || requested;
}

/**
 * The tier a call was billed at (see `billedServiceTier`): the tier the response reports
 * (`openai.response.service_tier`, or the older `gen_ai.openai.response.service_tier`), else
 * the requested one (`burnrate.request.service_tier`, `openai.request.service_tier`, or the older
 * `gen_ai.openai.request.service_tier`) unless that is `auto`, else the convention's own
 * (`fromConvention`).
 * @example resolveServiceTier({ [ATTR_OPENAI_REQUEST_SERVICE_TIER]: "flex" }) === "flex"
 */
export function resolveServiceTier(attributes: Attributes, fromConvention = ""): string {
  const requested = firstString(attributes, [
    ATTR_BURNRATE_REQUEST_SERVICE_TIER,
    ATTR_OPENAI_REQUEST_SERVICE_TIER,
    ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
  ]);
  const served = firstString(attributes, [
    ATTR_OPENAI_RESPONSE_SERVICE_TIER,
    ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ]);
  const named = requested.toLowerCase() === AUTO ? "" : requested;
  return billedServiceTier(named, served) || fromConvention || requested;
}
