/**
 * Attribution: which feature, user, tenant, session and agent a call belongs to. Burnrate's own
 * `burnrate.*` attributes come first (they travel as baggage and may be set on the resource
 * instead of the span), then the GenAI conventions, then each convention's own equivalent, then
 * the general OpenTelemetry `user.id` and `session.id` (which OpenInference also uses).
 */

import {
  ATTR_BURNRATE_FEATURE,
  ATTR_BURNRATE_SESSION,
  ATTR_BURNRATE_TENANT,
  ATTR_BURNRATE_USER,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_SESSION_ID,
  ATTR_USER_ID,
} from "../semconv.js";
import type { Span } from "../span.js";
import { readString } from "./attributes.js";
import type { Attribution } from "./reading.js";

/**
 * The attribution of a span. `gen_ai.conversation.id` wins for the session: it is the GenAI
 * conventions' own session (conversation, thread) id, which every turn of it repeats.
 * @example resolveAttribution(span, { user: "u-from-metadata" }).user // burnrate.user if set
 */
export function resolveAttribution(span: Span, fallback: Partial<Attribution>): Attribution {
  const attributes = span.attributes;
  const burnrate = (key: string) => readString(attributes, key) || readString(span.resource, key);
  return {
    feature: pick(burnrate(ATTR_BURNRATE_FEATURE), fallback.feature),
    user: pick(burnrate(ATTR_BURNRATE_USER), fallback.user, readString(attributes, ATTR_USER_ID)),
    tenant: pick(burnrate(ATTR_BURNRATE_TENANT), fallback.tenant),
    sessionId: pick(
      readString(attributes, ATTR_GEN_AI_CONVERSATION_ID),
      burnrate(ATTR_BURNRATE_SESSION),
      fallback.sessionId,
      readString(attributes, ATTR_SESSION_ID),
    ),
    agent: pick(readString(attributes, ATTR_GEN_AI_AGENT_NAME), fallback.agent),
  };
}

function pick(...candidates: (string | undefined)[]): string {
  return candidates.find((value) => value !== undefined && value !== "") ?? "";
}
