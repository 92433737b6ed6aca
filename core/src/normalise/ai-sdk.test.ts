import { describe, expect, it } from "vitest";
import { UNPRICED } from "../llm-call.js";
import {
  ATTR_AI_MODEL_PROVIDER,
  ATTR_AI_OPERATION_ID,
  ATTR_AI_RESPONSE_PROVIDER_METADATA,
  ATTR_AI_USAGE_CACHED_INPUT_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKENS,
  ATTR_AI_USAGE_OUTPUT_TOKENS,
  ATTR_AI_USAGE_REASONING_TOKENS,
  ATTR_AI_USAGE_TOTAL_TOKENS,
} from "../semconv.js";
import { normaliseSpan } from "./normalise-span.js";
import { FIXTURE_IDS, loadSpan, withAttributes } from "./testdata/load-span.js";

const PROJECT = FIXTURE_IDS.projectId;

/** What every fixture here leaves unset. */
const UNSET = {
  agent: "",
  cost: UNPRICED,
  estimated: false,
  promptFingerprint: "",
  toolCallFingerprints: [],
  status: "ok",
  errorType: "",
} as const;

describe("Vercel AI SDK v4", () => {
  it("reads an OpenAI doGenerate span; cached prompt tokens come from the provider metadata", () => {
    expect(normaliseSpan(loadSpan("ai-sdk-v4-openai-dogenerate"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      ...UNSET,
      service: "inbox-app",
      sessionId: "chat_42",
      feature: "summarise-thread",
      user: "u_1",
      tenant: "globex",
      provider: "openai",
      operation: "chat",
      requestModel: "gpt-4o",
      responseModel: "gpt-4o-2024-08-06",
      serviceTier: "",
      tokens: { input: 2048, output: 180, cacheRead: 1536, cacheWrite: 0, reasoning: 0 },
    });
  });

  it("adds Anthropic's cache (only in the provider metadata) to promptTokens, which excludes it", () => {
    expect(normaliseSpan(loadSpan("ai-sdk-v4-anthropic-dostream"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      ...UNSET,
      service: "inbox-app",
      sessionId: "chat_42",
      feature: "summarise-thread",
      user: "u_1",
      tenant: "globex",
      provider: "anthropic",
      operation: "chat",
      requestModel: "claude-3-5-sonnet-latest",
      responseModel: "claude-3-5-sonnet-20241022",
      serviceTier: "",
      tokens: { input: 2302, output: 141, cacheRead: 2284, cacheWrite: 0, reasoning: 0 },
    });
  });

  it("reads an embedMany doEmbed span's ai.usage.tokens as input", () => {
    expect(normaliseSpan(loadSpan("ai-sdk-embedmany-doembed"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      ...UNSET,
      service: "indexer",
      sessionId: "",
      feature: "",
      user: "",
      tenant: "",
      provider: "openai",
      operation: "embeddings",
      requestModel: "text-embedding-3-small",
      responseModel: "",
      serviceTier: "",
      tokens: { input: 96, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    });
  });
});

describe("Vercel AI SDK v5 and later", () => {
  it("reads an OpenAI doGenerate span, whose inputTokens includes cached tokens", () => {
    expect(normaliseSpan(loadSpan("ai-sdk-v5-openai-dogenerate"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      ...UNSET,
      service: "helpdesk",
      sessionId: "thread_9",
      feature: "answer-question",
      user: "u_77",
      tenant: "",
      provider: "openai",
      operation: "chat",
      requestModel: "gpt-5-mini",
      responseModel: "gpt-5-mini-2025-08-07",
      // The tier OpenAI reports in the provider metadata.
      serviceTier: "flex",
      tokens: { input: 3200, output: 900, cacheRead: 2048, cacheWrite: 0, reasoning: 640 },
    });
  });

  it("adds Anthropic's cache write, found only in the provider metadata, to inputTokens", () => {
    expect(normaliseSpan(loadSpan("ai-sdk-v5-anthropic-dostream"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      ...UNSET,
      service: "helpdesk",
      sessionId: "thread_9",
      feature: "answer-question",
      user: "u_77",
      tenant: "",
      provider: "anthropic",
      operation: "chat",
      requestModel: "claude-sonnet-4-5",
      responseModel: "claude-sonnet-4-5-20250929",
      serviceTier: "",
      tokens: { input: 2302, output: 141, cacheRead: 0, cacheWrite: 2284, reasoning: 0 },
    });
  });

  it("falls back to the raw Anthropic usage in the metadata for the cache write", () => {
    const metadata = { anthropic: { usage: { input_tokens: 18, cache_creation_input_tokens: 500 } } };
    const span = withAttributes(loadSpan("ai-sdk-v5-anthropic-dostream"), {
      [ATTR_AI_RESPONSE_PROVIDER_METADATA]: JSON.stringify(metadata),
    });
    expect(normaliseSpan(span, PROJECT)?.tokens).toEqual({
      input: 518,
      output: 141,
      cacheRead: 0,
      cacheWrite: 500,
      reasoning: 0,
    });
  });

  it("reads v6 inputTokens as the whole prompt, with the cache parts from inputTokenDetails", () => {
    expect(normaliseSpan(loadSpan("ai-sdk-v6-anthropic-dostream"), PROJECT)).toEqual({
      ...FIXTURE_IDS,
      ...UNSET,
      service: "coder",
      sessionId: "",
      feature: "",
      user: "",
      tenant: "",
      provider: "anthropic",
      operation: "chat",
      requestModel: "claude-opus-4-1",
      responseModel: "claude-opus-4-1-20250805",
      serviceTier: "",
      tokens: { input: 9500, output: 300, cacheRead: 8000, cacheWrite: 500, reasoning: 80 },
    });
  });

  it("adds reasoning to outputTokens when the provider's total shows it was counted apart", () => {
    // Gemini reports thoughts beside candidates; totalTokens = input + output + reasoning.
    const span = withAttributes(loadSpan("ai-sdk-v5-openai-dogenerate"), {
      [ATTR_AI_MODEL_PROVIDER]: "google.generative-ai",
      [ATTR_AI_USAGE_INPUT_TOKENS]: 1200,
      [ATTR_AI_USAGE_OUTPUT_TOKENS]: 300,
      [ATTR_AI_USAGE_REASONING_TOKENS]: 500,
      [ATTR_AI_USAGE_TOTAL_TOKENS]: 2000,
      [ATTR_AI_USAGE_CACHED_INPUT_TOKENS]: 0,
    });
    expect(normaliseSpan(span, PROJECT)).toMatchObject({
      provider: "gcp.gemini",
      tokens: { input: 1200, output: 800, cacheRead: 0, cacheWrite: 0, reasoning: 500 },
    });
  });

  it("recognises a provider-call span by its name when ai.operationId is missing", () => {
    const span = withAttributes(loadSpan("ai-sdk-v5-openai-dogenerate"), { [ATTR_AI_OPERATION_ID]: null });
    expect(normaliseSpan(span, PROJECT)?.tokens.input).toBe(3200);
  });
});

describe("AI SDK spans that are not provider calls", () => {
  it.each([
    ["the outer ai.generateText span (v4), whose usage sums its steps", "ai-sdk-v4-generatetext-outer"],
    ["the outer ai.streamText span (v5), whose usage sums its steps", "ai-sdk-v5-streamtext-outer"],
    ["an ai.toolCall span", "ai-sdk-v5-toolcall"],
  ])("returns undefined for %s", (_label, fixture) => {
    expect(normaliseSpan(loadSpan(fixture), PROJECT)).toBeUndefined();
  });
});
