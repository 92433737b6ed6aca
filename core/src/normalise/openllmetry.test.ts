import { describe, expect, it } from "vitest";
import { UNPRICED } from "../llm-call.js";
import { ATTR_LLM_REQUEST_TYPE } from "../semconv.js";
import { normaliseSpan } from "./normalise-span.js";
import { FIXTURE_IDS, loadSpan, withAttributes } from "./testdata/load-span.js";

const PROJECT = FIXTURE_IDS.projectId;

describe("OpenLLMetry", () => {
  it("reads the Python Anthropic instrumentation, whose input count already includes the cache", () => {
    // Mirrors openllmetry's test_prompt_caching cassette: 4 uncached + 1163 read = 1167.
    expect(normaliseSpan(loadSpan("openllmetry-anthropic"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      service: "newsletter-worker",
      sessionId: "s_99",
      agent: "",
      feature: "summarise-articles",
      user: "u_17",
      tenant: "",
      provider: "anthropic",
      // Tagged llm.request.type=completion, but the span is a Messages API (chat) call.
      operation: "chat",
      requestModel: "claude-3-5-sonnet-20240620",
      responseModel: "claude-3-5-sonnet-20240620",
      serviceTier: "",
      tokens: { input: 1167, output: 202, cacheRead: 1163, cacheWrite: 0, reasoning: 0 },
      cost: UNPRICED,
      estimated: false,
      promptFingerprint: "",
      toolCallFingerprints: [],
      status: "ok",
      errorType: "",
    });
  });

  it("reads the OpenAI instrumentation, whose prompt_tokens includes cached tokens", () => {
    expect(normaliseSpan(loadSpan("openllmetry-openai"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      service: "research-agent",
      sessionId: "",
      agent: "",
      feature: "",
      user: "",
      tenant: "acme",
      provider: "openai",
      operation: "chat",
      requestModel: "gpt-4o",
      responseModel: "gpt-4o-2024-08-06",
      serviceTier: "",
      tokens: { input: 2006, output: 300, cacheRead: 1920, cacheWrite: 0, reasoning: 0 },
      cost: UNPRICED,
      estimated: false,
      promptFingerprint: "",
      toolCallFingerprints: [],
      status: "ok",
      errorType: "",
    });
  });

  it.each(["constructor", "__proto__"])(
    "reads an llm.request.type of %j as an unknown type, which is a chat",
    (requestType) => {
      // A span name ending in ".chat" would decide the operation before the type is looked up.
      const span = (type: string) => ({
        ...withAttributes(loadSpan("openllmetry-openai"), { [ATTR_LLM_REQUEST_TYPE]: type }),
        name: "openai.request",
      });
      expect(normaliseSpan(span(requestType), PROJECT)).toEqual(normaliseSpan(span("chat"), PROJECT));
    },
  );

  it("returns undefined for a decorator (workflow) span", () => {
    expect(normaliseSpan(loadSpan("openllmetry-workflow"), PROJECT)).toBeUndefined();
  });
});
