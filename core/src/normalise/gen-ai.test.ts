import { describe, expect, it } from "vitest";
import { UNPRICED } from "../llm-call.js";
import {
  ATTR_BURNRATE_USAGE_AUDIO_INPUT_TOKENS,
  ATTR_BURNRATE_USAGE_AUDIO_OUTPUT_TOKENS,
  ATTR_BURNRATE_USAGE_CACHE_CREATION_1H_INPUT_TOKENS,
  ATTR_BURNRATE_USAGE_WEB_SEARCH_REQUESTS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
} from "../semconv.js";
import { MAX_TOKEN_COUNT } from "./attributes.js";
import { normaliseSpan } from "./normalise-span.js";
import { FIXTURE_IDS, loadSpan, withAttributes } from "./testdata/load-span.js";

const PROJECT = FIXTURE_IDS.projectId;

describe("GenAI semantic conventions v1.41", () => {
  it("reads a chat span whose input_tokens already includes cache reads and writes", () => {
    expect(normaliseSpan(loadSpan("semconv-anthropic-chat"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      service: "support-bot",
      // gen_ai.conversation.id wins over burnrate.session for the session.
      sessionId: "conv_7f3a9c",
      agent: "triage-agent",
      feature: "ticket-triage",
      user: "u_482",
      tenant: "acme",
      provider: "anthropic",
      operation: "chat",
      requestModel: "claude-sonnet-4-5",
      responseModel: "claude-sonnet-4-5-20250929",
      serviceTier: "",
      // 2302 = 18 uncached + 2000 read + 284 written: taken as reported, not summed again.
      tokens: { input: 2302, output: 412, cacheRead: 2000, cacheWrite: 284, reasoning: 120 },
      cost: UNPRICED,
      estimated: false,
      promptFingerprint: "pf_9c1d2e7a",
      toolCallFingerprints: ["tc_a1b2", "tc_c3d4"],
      status: "ok",
      errorType: "",
    });
  });

  it("adds the cache to input_tokens when the count proves it excluded it", () => {
    // An instrumentation that copied Anthropic's raw input_tokens (18) cannot be right:
    // an inclusive count is never smaller than its cached part.
    const span = withAttributes(loadSpan("semconv-anthropic-chat"), { [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 18 });
    expect(normaliseSpan(span, PROJECT)?.tokens).toEqual({
      input: 2302,
      output: 412,
      cacheRead: 2000,
      cacheWrite: 284,
      reasoning: 120,
    });
  });

  it("reads Burnrate's one-hour part of the cache writes, never more than the writes", () => {
    const base = loadSpan("semconv-anthropic-chat");
    const oneHour = (value: number) =>
      normaliseSpan(
        withAttributes(base, { [ATTR_BURNRATE_USAGE_CACHE_CREATION_1H_INPUT_TOKENS]: value }),
        PROJECT,
      )?.tokens;
    expect([oneHour(200), oneHour(5_000)]).toEqual([
      { input: 2302, output: 412, cacheRead: 2000, cacheWrite: 284, cacheWrite1h: 200, reasoning: 120 },
      { input: 2302, output: 412, cacheRead: 2000, cacheWrite: 284, cacheWrite1h: 284, reasoning: 120 },
    ]);
  });

  it("reads the Anthropic SDK's own names for the cache writes and their one-hour part", () => {
    const { "gen_ai.usage.cache_creation.input_tokens": _, ...rest } =
      loadSpan("semconv-anthropic-chat").attributes;
    const span = {
      ...loadSpan("semconv-anthropic-chat"),
      attributes: {
        ...rest,
        "gen_ai.usage.cache_write.input_tokens": 284,
        "anthropic.usage.cache_creation.ephemeral_1h_input_tokens": 200,
      },
    };
    expect(normaliseSpan(span, PROJECT)?.tokens).toEqual({
      input: 2302,
      output: 412,
      cacheRead: 2000,
      cacheWrite: 284,
      cacheWrite1h: 200,
      reasoning: 120,
    });
  });

  it("reads Burnrate's audio parts, never more than the input or output, and its web searches", () => {
    const base = loadSpan("semconv-anthropic-chat");
    const read = (audioInput: unknown, audioOutput: unknown, webSearches: unknown) =>
      normaliseSpan(
        withAttributes(base, {
          [ATTR_BURNRATE_USAGE_AUDIO_INPUT_TOKENS]: audioInput,
          [ATTR_BURNRATE_USAGE_AUDIO_OUTPUT_TOKENS]: audioOutput,
          [ATTR_BURNRATE_USAGE_WEB_SEARCH_REQUESTS]: webSearches,
        } as never),
        PROJECT,
      )?.tokens;
    const tokens = { input: 2302, output: 412, cacheRead: 2000, cacheWrite: 284, reasoning: 120 };
    expect([
      read(300, 100, 4),
      // Past the input and output: held at them. Searches are counts like tokens: "7" parses.
      read(5_000, 9_999, "7"),
      // Held at the UInt32 the stored counts have.
      read(0, 0, 1e12),
      // Zero, negative and junk are no audio and no searches, and are left out.
      read(-5, "lots", 0),
    ]).toEqual([
      { ...tokens, audioInput: 300, audioOutput: 100, webSearches: 4 },
      { ...tokens, audioInput: 2302, audioOutput: 412, webSearches: 7 },
      { ...tokens, webSearches: MAX_TOKEN_COUNT },
      tokens,
    ]);
  });

  it("reads string-typed numbers: numeric strings parse, floats truncate, junk and negatives become 0", () => {
    expect(normaliseSpan(loadSpan("semconv-string-numbers"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      service: "support-bot",
      sessionId: "",
      agent: "",
      feature: "",
      user: "",
      tenant: "",
      provider: "gcp.vertex_ai",
      operation: "generate_content",
      requestModel: "gemini-2.5-pro",
      responseModel: "",
      serviceTier: "batch",
      tokens: { input: 1200, output: 300, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      cost: UNPRICED,
      estimated: true,
      promptFingerprint: "",
      // The fingerprints arrived as a JSON string; the non-string item is dropped.
      toolCallFingerprints: ["tc_1", "tc_2"],
      status: "ok",
      errorType: "",
    });
  });

  it("prefers current names when a span carries both current and deprecated ones", () => {
    expect(normaliseSpan(loadSpan("semconv-mixed-names"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      service: "support-bot",
      sessionId: "",
      agent: "",
      feature: "",
      user: "",
      tenant: "",
      provider: "azure.ai.openai",
      operation: "chat",
      requestModel: "gpt-4o",
      responseModel: "",
      serviceTier: "flex",
      tokens: { input: 1000, output: 50, cacheRead: 100, cacheWrite: 0, reasoning: 0 },
      cost: UNPRICED,
      estimated: false,
      promptFingerprint: "",
      toolCallFingerprints: [],
      status: "ok",
      errorType: "",
    });
  });
});

describe("older GenAI conventions", () => {
  it("reads gen_ai.system and the older input_tokens without cache attributes", () => {
    expect(normaliseSpan(loadSpan("semconv-legacy-openai"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      service: "checkout-api",
      sessionId: "",
      agent: "",
      feature: "",
      user: "",
      tenant: "",
      provider: "openai",
      operation: "chat",
      requestModel: "gpt-4o-mini",
      responseModel: "gpt-4o-mini-2024-07-18",
      // The request asked for "auto", so the tier the response reports is the one billed.
      serviceTier: "default",
      tokens: { input: 1450, output: 230, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      cost: UNPRICED,
      estimated: false,
      promptFingerprint: "",
      toolCallFingerprints: [],
      status: "ok",
      errorType: "",
    });
  });

  it("reads prompt_tokens and completion_tokens, and the operation from the span name", () => {
    expect(normaliseSpan(loadSpan("semconv-legacy-prompt-tokens"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      service: "legacy-reports",
      sessionId: "",
      agent: "",
      feature: "",
      user: "",
      tenant: "",
      provider: "azure.ai.openai",
      operation: "chat",
      requestModel: "gpt-4",
      responseModel: "gpt-4-0613",
      serviceTier: "",
      tokens: { input: 800, output: 150, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      cost: UNPRICED,
      estimated: false,
      promptFingerprint: "",
      toolCallFingerprints: [],
      status: "ok",
      errorType: "",
    });
  });

  it("reads a cache write alone without taking it for part of an exclusive count", () => {
    const span = withAttributes(loadSpan("semconv-legacy-openai"), {
      [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 1000,
    });
    expect(normaliseSpan(span, PROJECT)?.tokens).toEqual({
      input: 1450,
      output: 230,
      cacheRead: 0,
      cacheWrite: 1000,
      reasoning: 0,
    });
  });
});

describe("token counting, told apart by the span's name", () => {
  it("drops spans named for counting tokens, and keeps names that only contain the words", () => {
    const base = loadSpan("anthropic-native-count-tokens"); // names a model, no operation
    const names = [
      "anthropic.messages.count_tokens",
      "models.countTokens",
      "account_tokens refresh",
      "discountTokens",
    ];
    expect(names.map((name) => normaliseSpan({ ...base, name }, PROJECT)?.operation)).toEqual([
      undefined,
      undefined,
      "chat",
      "chat",
    ]);
  });
});

describe("spans that are not LLM calls", () => {
  it.each([
    ["an HTTP client span", "http-client"],
    ["an invoke_agent span, even with aggregated usage", "semconv-invoke-agent"],
    ["an execute_tool span", "semconv-execute-tool"],
    [
      "the Anthropic SDK's own span of a free token count, which names a model",
      "anthropic-native-count-tokens",
    ],
  ])("returns undefined for %s", (_label, fixture) => {
    expect(normaliseSpan(loadSpan(fixture), PROJECT)).toBeUndefined();
  });
});
