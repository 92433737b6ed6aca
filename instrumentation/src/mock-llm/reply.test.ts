import { describe, expect, it } from "vitest";
import { MockReplyError, parseMockReply, parseReplyHeader } from "./reply.js";
import { countPromptChars, DEFAULT_TEXT, planReply, splitIntoPieces } from "./reply-plan.js";

describe("parseMockReply", () => {
  it("accepts a full reply unchanged", () => {
    const reply = {
      text: "hi",
      toolCalls: [
        { name: "f", arguments: { a: 1 }, id: "call_1" },
        { name: "g", arguments: "{broken" },
      ],
      usage: {
        input: 10,
        output: 5,
        cacheRead: 4,
        cacheWrite: 6,
        cacheWrite1h: 2,
        reasoning: 5,
        audioInput: 3,
        audioOutput: 1,
        webSearches: 2,
      },
      model: "m",
      error: { status: 429, type: "requests", message: "slow", retryAfter: 1.5 },
      latencyMs: 1,
      chunkDelayMs: 2,
      chunks: 3,
      cutAfterChunks: 0,
      cutBody: true,
      thinking: "Let me think.",
      streamError: { afterChunks: 3, type: "overloaded_error", message: "Overloaded" },
      azureFilterChunk: true,
    };
    expect(parseMockReply(reply)).toEqual(reply);
  });

  it("names every bad field", () => {
    expect(() =>
      parseMockReply({
        chunks: 0,
        usage: { output: 1, reasoning: 2 },
        error: { status: 302 },
        streamError: { afterChunks: -1 },
        azureFilterChunk: "yes",
        extra: true,
      }),
    ).toThrow(
      new MockReplyError(
        "mock-llm: invalid reply: " +
          "usage.output: reasoning must not exceed output (output includes reasoning); " +
          "error.status: Too small: expected number to be >=400; " +
          "chunks: Too small: expected number to be >=1; " +
          "streamError.afterChunks: Too small: expected number to be >=0; " +
          "azureFilterChunk: Invalid input: expected boolean, received string; " +
          '(root): Unrecognized key: "extra"',
      ),
    );
  });

  it("reads the header, absent or not", () => {
    expect(parseReplyHeader(undefined)).toBeUndefined();
    expect(parseReplyHeader('{"text":"x"}')).toEqual({ text: "x" });
    expect(() => parseReplyHeader("nope")).toThrow("mock-llm: invalid x-mock-llm header: not JSON: nope");
  });
});

describe("planReply", () => {
  const request = { model: "gpt-4o", prompt: [{ role: "user", content: "x".repeat(400) }] };

  it("fills defaults from the request", () => {
    expect(planReply({}, request)).toEqual({
      model: "gpt-4o",
      text: DEFAULT_TEXT,
      textPieces: splitIntoPieces(DEFAULT_TEXT, 4),
      toolCalls: [],
      usage: {
        input: 100, // 400 characters / 4; "user" is structure, not prompt
        output: Math.ceil(DEFAULT_TEXT.length / 4),
        cacheRead: 0,
        cacheWrite: 0,
        cacheWrite1h: 0,
        reasoning: 0,
        audioInput: 0,
        audioOutput: 0,
        webSearches: 0,
      },
      error: undefined,
      latencyMs: 0,
      chunkDelayMs: 0,
      cutAfterChunks: undefined,
      cutBody: false,
      serviceTier: "default",
      thinking: null,
      thinkingPieces: [],
      streamError: undefined,
      azureFilterChunk: false,
      backgroundPolls: 0,
    });
  });

  it("splits scripted thinking into stream pieces and counts it as output", () => {
    const plan = planReply({ thinking: "abcdefgh", text: "abcd", chunks: 2 }, request);

    expect({ thinking: plan.thinking, pieces: plan.thinkingPieces, output: plan.usage.output }).toEqual({
      thinking: "abcdefgh",
      pieces: ["abcd", "efgh"],
      output: 3, // (8 thinking + 4 text) / 4
    });
  });

  it("answers with tool calls only when no text is scripted, and counts them as output", () => {
    const plan = planReply(
      { toolCalls: [{ name: "lookup", arguments: { q: "Paris" } }], chunks: 2 },
      request,
    );

    expect(plan.text).toBeNull();
    expect(plan.textPieces).toEqual([]);
    expect(plan.toolCalls).toEqual([
      {
        id: undefined,
        name: "lookup",
        argumentsJson: '{"q":"Paris"}',
        argumentPieces: ['{"q":"', 'Paris"}'],
      },
    ]);
    expect(plan.usage.output).toBe(5); // ("lookup" 6 + '{"q":"Paris"}' 13) / 4 = 4.75 → 5
  });

  it("grows estimated input and output to hold scripted audio", () => {
    const plan = planReply(
      { usage: { audioInput: 900, audioOutput: 300, webSearches: 2 }, text: "abcd" },
      request,
    );

    expect(plan.usage).toMatchObject({
      input: 900,
      output: 301, // 1 for the text, plus the 300 audio
      audioInput: 900,
      audioOutput: 300,
      webSearches: 2,
    });
  });

  it("grows estimated input to hold the scripted cache and output to hold reasoning", () => {
    const plan = planReply(
      { usage: { cacheRead: 3_000, cacheWrite: 500, reasoning: 200 }, text: "abcd" },
      request,
    );

    expect(plan.usage).toEqual({
      input: 3_500,
      output: 201,
      cacheRead: 3_000,
      cacheWrite: 500,
      cacheWrite1h: 0,
      reasoning: 200,
      audioInput: 0,
      audioOutput: 0,
      webSearches: 0,
    });
  });

  it("uses the scripted model, or mock-model when the request names none", () => {
    expect(planReply({ model: "gpt-4o-2024-08-06" }, request).model).toBe("gpt-4o-2024-08-06");
    expect(planReply({}, { model: undefined, prompt: [] }).model).toBe("mock-model");
  });
});

describe("splitIntoPieces", () => {
  it("splits into near-equal pieces that join back to the text", () => {
    expect(splitIntoPieces("abcdefghij", 3)).toEqual(["abc", "def", "ghij"]);
    expect(splitIntoPieces("ab", 4)).toEqual(["a", "b"]);
    expect(splitIntoPieces("", 4)).toEqual([""]);
  });

  it("never splits a surrogate pair", () => {
    expect(splitIntoPieces("😀😀", 2)).toEqual(["😀", "😀"]);
  });
});

describe("countPromptChars", () => {
  it("counts text but not structure", () => {
    const messages = [
      { role: "system", content: "abcd" },
      { role: "user", content: [{ type: "text", text: "efgh" }] },
      { role: "tool", tool_call_id: "call_123", content: "ij" },
    ];
    expect(countPromptChars(messages)).toBe(10);
    expect(countPromptChars([1, 2, 3])).toBe(12); // pre-tokenised input: one token per number
  });
});
