import { describe, expect, it } from "vitest";
import { UNPRICED } from "../llm-call.js";
import { normaliseSpan } from "./normalise-span.js";
import { FIXTURE_IDS, loadSpan } from "./testdata/load-span.js";

const PROJECT = FIXTURE_IDS.projectId;

describe("OpenInference", () => {
  it("reads an LLM span with its reported cost and cache reads", () => {
    expect(normaliseSpan(loadSpan("openinference-openai"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      service: "rag-api",
      sessionId: "26bcd3d2-cad2-443d-a23c-625e47f3324a",
      agent: "",
      feature: "",
      user: "u_301",
      tenant: "",
      provider: "openai",
      operation: "chat",
      // The request's model comes from llm.invocation_parameters; llm.model_name holds the response's.
      requestModel: "gpt-4o-mini",
      responseModel: "gpt-4o-mini-2024-07-18",
      serviceTier: "",
      tokens: { input: 1450, output: 230, cacheRead: 1024, cacheWrite: 0, reasoning: 0 },
      cost: {
        input: "0.0002175",
        output: "0.000138",
        cacheRead: "0",
        cacheWrite: "0",
        total: "0.0003555",
        source: "provider",
        priceVersion: "provider",
      },
      estimated: false,
      promptFingerprint: "",
      toolCallFingerprints: [],
      status: "ok",
      errorType: "",
    });
  });

  it("reads the Python Anthropic instrumentation, whose prompt count includes reads and writes", () => {
    expect(normaliseSpan(loadSpan("openinference-anthropic"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      service: "planner",
      sessionId: "",
      agent: "planner",
      feature: "",
      user: "",
      tenant: "",
      provider: "anthropic",
      operation: "chat",
      requestModel: "claude-sonnet-4-5",
      responseModel: "claude-sonnet-4-5-20250929",
      serviceTier: "",
      tokens: { input: 2302, output: 512, cacheRead: 2000, cacheWrite: 284, reasoning: 0 },
      cost: UNPRICED,
      estimated: false,
      promptFingerprint: "",
      toolCallFingerprints: [],
      status: "ok",
      errorType: "",
    });
  });

  it("corrects the JS Bedrock instrumentation, which reports Anthropic's uncached input_tokens", () => {
    expect(normaliseSpan(loadSpan("openinference-bedrock-js"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      service: "bedrock-bot",
      sessionId: "",
      agent: "",
      feature: "",
      user: "",
      tenant: "",
      // The host decides the price: Claude served by Bedrock is billed by AWS.
      provider: "aws.bedrock",
      operation: "chat",
      requestModel: "anthropic.claude-3-5-sonnet-20241022-v2:0",
      responseModel: "anthropic.claude-3-5-sonnet-20241022-v2:0",
      serviceTier: "",
      tokens: { input: 2302, output: 141, cacheRead: 2284, cacheWrite: 0, reasoning: 0 },
      cost: UNPRICED,
      estimated: false,
      promptFingerprint: "",
      toolCallFingerprints: [],
      status: "ok",
      errorType: "",
    });
  });

  it.each([
    ["CHAIN", "openinference-chain"],
    ["AGENT, even with token counts", "openinference-agent"],
  ])("returns undefined for a %s span", (_kind, fixture) => {
    expect(normaliseSpan(loadSpan(fixture), PROJECT)).toBeUndefined();
  });
});
