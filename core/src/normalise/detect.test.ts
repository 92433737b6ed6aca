import { describe, expect, it } from "vitest";
import { detectConvention } from "./detect.js";
import { loadSpan } from "./testdata/load-span.js";

describe("detectConvention", () => {
  it.each([
    ["semconv-anthropic-chat", "semconv"],
    ["semconv-mixed-names", "semconv"],
    ["semconv-execute-tool", "semconv"],
    ["semconv-legacy-openai", "semconv-legacy"],
    ["semconv-legacy-prompt-tokens", "semconv-legacy"],
    ["openllmetry-anthropic", "openllmetry"],
    ["openllmetry-openai", "openllmetry"],
    ["openllmetry-workflow", "openllmetry"],
    ["openinference-openai", "openinference"],
    ["openinference-chain", "openinference"],
    ["ai-sdk-v4-openai-dogenerate", "ai-sdk-v4"],
    ["ai-sdk-v4-generatetext-outer", "ai-sdk-v4"],
    ["ai-sdk-v5-anthropic-dostream", "ai-sdk-v5"],
    ["ai-sdk-v6-anthropic-dostream", "ai-sdk-v5"],
    // Embedding spans use the same names in every SDK version.
    ["ai-sdk-embedmany-doembed", "ai-sdk-v5"],
    ["ai-sdk-v5-toolcall", "ai-sdk-v5"],
  ])("detects %s as %s", (fixture, convention) => {
    expect(detectConvention(loadSpan(fixture))).toBe(convention);
  });

  it("finds no convention on a span without GenAI telemetry", () => {
    expect(detectConvention(loadSpan("http-client"))).toBeUndefined();
  });
});
