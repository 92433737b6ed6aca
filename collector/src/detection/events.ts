import {
  ATTR_BURNRATE_FEATURE,
  ATTR_BURNRATE_SESSION,
  ATTR_BURNRATE_TENANT,
  ATTR_BURNRATE_TOOL_RESULT_DIGEST,
  ATTR_BURNRATE_USER,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_SERVICE_NAME,
  type AttributeValue,
  type DetectorEvent,
  type LlmCall,
  type Span,
} from "@burnrate/core";
import type { Batch } from "../pipeline/batch.js";

const text = (value: AttributeValue | undefined): string => (typeof value === "string" ? value : "");

/**
 * The batch's steps as detector events, in the order the spans arrived: each LLM call, and
 * each `execute_tool` span (whose result digest lets D4 see a tool that makes no progress).
 */
export function detectorEvents(batch: Batch, nowMs = Date.now()): DetectorEvent[] {
  const calls = new Map<string, LlmCall>();
  for (const call of batch.calls) calls.set(call.spanId, call);
  const events: DetectorEvent[] = [];
  for (const span of batch.spans) {
    const call = calls.get(span.spanId);
    if (call) events.push(callEvent(call));
    else if (span.attributes[ATTR_GEN_AI_OPERATION_NAME] === "execute_tool")
      events.push(toolEvent(batch.projectId, span));
  }
  // The detectors take their time from the events and never go back: one span from a client
  // whose clock runs ahead would move every budget to a future day and expire every run. A
  // span can start no later than it arrives, so a later time is taken as its arrival.
  const latest = BigInt(nowMs + CLOCK_SKEW_MS) * 1_000_000n;
  // Its end is dropped with it: the capped calls of a batch would otherwise all seem to start
  // together and overlap, and be taken for identical calls sent side by side (see D1).
  for (const event of events) {
    if (event.timeUnixNano <= latest) continue;
    event.timeUnixNano = latest;
    delete event.endUnixNano;
  }
  return events;
}

/** How far ahead of the collector's clock a client's may run before its span times are capped. */
const CLOCK_SKEW_MS = 60_000;

function callEvent(call: LlmCall): DetectorEvent {
  return {
    kind: "llm_call",
    projectId: call.projectId,
    traceId: call.traceId,
    spanId: call.spanId,
    sessionId: call.sessionId,
    service: call.service,
    agent: call.agent,
    feature: call.feature,
    user: call.user,
    tenant: call.tenant,
    timeUnixNano: call.startTimeUnixNano,
    endUnixNano: call.startTimeUnixNano + call.durationNs,
    costUsd: call.cost.source === "unpriced" ? "0" : call.cost.total,
    tokens: call.tokens.input + call.tokens.output,
    failed: call.status === "error",
    promptFingerprint: call.promptFingerprint,
    toolCallFingerprints: call.toolCallFingerprints,
  };
}

function toolEvent(projectId: string, span: Span): DetectorEvent {
  const a = span.attributes;
  const digest = text(a[ATTR_BURNRATE_TOOL_RESULT_DIGEST]);
  return {
    kind: "tool",
    projectId,
    traceId: span.traceId,
    spanId: span.spanId,
    sessionId: text(a[ATTR_GEN_AI_CONVERSATION_ID]) || text(a[ATTR_BURNRATE_SESSION]),
    service: text(span.resource[ATTR_SERVICE_NAME]),
    agent: text(a[ATTR_GEN_AI_AGENT_NAME]),
    feature: text(a[ATTR_BURNRATE_FEATURE]),
    user: text(a[ATTR_BURNRATE_USER]),
    tenant: text(a[ATTR_BURNRATE_TENANT]),
    timeUnixNano: span.startTimeUnixNano,
    costUsd: "0",
    tokens: 0,
    promptFingerprint: "",
    toolCallFingerprints: [],
    toolName: text(a[ATTR_GEN_AI_TOOL_NAME]),
    ...(digest ? { toolResultDigest: digest } : {}),
  };
}
