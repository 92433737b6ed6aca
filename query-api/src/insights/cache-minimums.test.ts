import { describe, expect, it } from "vitest";
import { minCacheablePrompt } from "./cache-minimums.js";

describe("minCacheablePrompt", () => {
  it("finds each model's own minimum, under any provider's name for it", () => {
    const models = [
      "claude-haiku-4-5",
      "claude-haiku-4-5-20251001",
      "anthropic.claude-haiku-4-5-20251001-v1:0", // Bedrock
      "claude-opus-4-5-20251101",
      "claude-opus-4-6",
      "claude-opus-4-1-20250805",
      "claude-opus-4-20250514",
      "claude-sonnet-4-5@20250929", // Vertex
      "claude-sonnet-4-20250514",
      "claude-sonnet-4-6",
      "claude-3-7-sonnet-20250219",
      "claude-3-5-haiku-20241022",
      "claude-3-haiku-20240307",
      "claude-opus-9", // not published yet: the largest minimum
      "gpt-4o",
      "gemini-2.0-flash",
    ];
    expect(Object.fromEntries(models.map((m) => [m, minCacheablePrompt(m)]))).toEqual({
      "claude-haiku-4-5": 4096,
      "claude-haiku-4-5-20251001": 4096,
      "anthropic.claude-haiku-4-5-20251001-v1:0": 4096,
      "claude-opus-4-5-20251101": 4096,
      "claude-opus-4-6": 4096,
      "claude-opus-4-1-20250805": 1024,
      "claude-opus-4-20250514": 1024,
      "claude-sonnet-4-5@20250929": 1024,
      "claude-sonnet-4-20250514": 1024,
      "claude-sonnet-4-6": 2048,
      "claude-3-7-sonnet-20250219": 1024,
      "claude-3-5-haiku-20241022": 2048,
      "claude-3-haiku-20240307": 2048,
      "claude-opus-9": 4096,
      "gpt-4o": 1024,
      "gemini-2.0-flash": 1024,
    });
  });
});
