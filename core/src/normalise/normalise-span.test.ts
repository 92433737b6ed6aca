import { describe, expect, it } from "vitest";
import { UNPRICED } from "../llm-call.js";
import {
  ATTR_BURNRATE_FEATURE,
  ATTR_BURNRATE_TENANT,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_TYPE,
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  EVENT_EXCEPTION,
} from "../semconv.js";
import { normaliseSpan } from "./normalise-span.js";
import { FIXTURE_IDS, loadSpan, withAttributes } from "./testdata/load-span.js";

const PROJECT = FIXTURE_IDS.projectId;

describe("normaliseSpan", () => {
  it("marks an error span with its error.type", () => {
    expect(normaliseSpan(loadSpan("semconv-error"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      durationNs: 310000000n,
      service: "support-bot",
      sessionId: "",
      agent: "",
      feature: "",
      user: "",
      tenant: "",
      provider: "openai",
      operation: "chat",
      requestModel: "gpt-4.1",
      responseModel: "",
      serviceTier: "",
      tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      cost: UNPRICED,
      estimated: false,
      promptFingerprint: "",
      toolCallFingerprints: [],
      status: "error",
      errorType: "RateLimitError",
    });
  });

  it("takes the error type from the exception event when error.type is missing", () => {
    const span = withAttributes(loadSpan("semconv-error"), { [ATTR_ERROR_TYPE]: null });
    expect(normaliseSpan(span, PROJECT)).toMatchObject({
      status: "error",
      errorType: "openai.RateLimitError",
    });
  });

  it("reports _OTHER for an error status with no type anywhere", () => {
    const span = { ...withAttributes(loadSpan("semconv-error"), { [ATTR_ERROR_TYPE]: null }), events: [] };
    expect(normaliseSpan(span, PROJECT)).toMatchObject({ status: "error", errorType: "_OTHER" });
  });

  it("marks a span with error.type as an error even when its status is unset", () => {
    const span = withAttributes(loadSpan("semconv-anthropic-chat"), { [ATTR_ERROR_TYPE]: "timeout" });
    expect(normaliseSpan(span, PROJECT)).toMatchObject({ status: "error", errorType: "timeout" });
  });

  it("keeps a handled exception on a successful span out of the error type", () => {
    const span = {
      ...loadSpan("semconv-anthropic-chat"),
      events: [
        { name: EVENT_EXCEPTION, timeUnixNano: 1n, attributes: { [ATTR_EXCEPTION_TYPE]: "RetryableError" } },
      ],
    };
    expect(normaliseSpan(span, PROJECT)).toMatchObject({ status: "ok", errorType: "" });
  });

  it("never reports a negative duration", () => {
    const span = loadSpan("semconv-anthropic-chat");
    const skewed = { ...span, endTimeUnixNano: span.startTimeUnixNano - 5n };
    expect(normaliseSpan(skewed, PROJECT)?.durationNs).toBe(0n);
  });

  it("falls back to burnrate.* attributes set on the resource", () => {
    const span = loadSpan("semconv-legacy-openai");
    const onResource = {
      ...span,
      resource: { ...span.resource, [ATTR_BURNRATE_TENANT]: "initech", [ATTR_BURNRATE_FEATURE]: "checkout" },
    };
    expect(normaliseSpan(onResource, PROJECT)).toMatchObject({ tenant: "initech", feature: "checkout" });
  });

  it("takes a provider-reported cost", () => {
    const span = withAttributes(loadSpan("semconv-anthropic-chat"), {
      [ATTR_GEN_AI_USAGE_COST_AMOUNT]: "0.0123",
    });
    expect(normaliseSpan(span, PROJECT)?.cost).toEqual({
      input: "0",
      output: "0",
      cacheRead: "0",
      cacheWrite: "0",
      total: "0.0123",
      source: "provider",
      priceVersion: "provider",
    });
  });

  it("returns a cost object the pricing stage may replace or mutate", () => {
    const call = normaliseSpan(loadSpan("semconv-anthropic-chat"), PROJECT);
    expect(call?.cost).not.toBe(UNPRICED);
    expect(Object.isFrozen(call?.cost)).toBe(false);
  });
});
