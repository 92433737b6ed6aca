import * as C from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { useHarness } from "../../test/harness.js";
import { chatUsage } from "./chat.js";
import { webSearchCount } from "./responses.js";

const h = useHarness();

const messages = [{ role: "user" as const, content: "Say hello, out loud." }];
// gpt-audio: $2.50/M text in, $10/M text out, $32/M audio in, $64/M audio out.
// 1000 prompt tokens of which 800 audio, 500 completion tokens of which 400 audio.
const audioUsage = { input: 1_000, audioInput: 800, output: 500, audioOutput: 400 };

function audioAttributes(responseId: unknown) {
  return {
    [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
    [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-audio",
    [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model: "gpt-audio", messages }),
    [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-audio",
    [C.ATTR_GEN_AI_RESPONSE_ID]: responseId,
    [C.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
    [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["stop"],
    [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1_000,
    [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 500,
    [C.ATTR_BURNRATE_USAGE_AUDIO_INPUT_TOKENS]: 800,
    [C.ATTR_BURNRATE_USAGE_AUDIO_OUTPUT_TOKENS]: 400,
    // 200 * $2.50/M + 800 * $32/M + 100 * $10/M + 400 * $64/M = 0.0005 + 0.0256 + 0.001 + 0.0256
    // (priced as text it was 1000 * $2.50/M + 500 * $10/M = 0.0075)
    [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.0527,
    [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
    [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
  };
}

describe("openai audio tokens", () => {
  it("records Chat Completions audio tokens and prices them at the audio rates, streamed or not", async () => {
    h.mock.enqueue({ text: "Hello.", usage: audioUsage });
    const completion = await h.openai.chat.completions.create({ model: "gpt-audio", messages });
    h.mock.enqueue({ text: "Hello.", usage: audioUsage });
    const stream = await h.openai.chat.completions.create({
      model: "gpt-audio",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) {
      // drain
    }
    const spans = await h.waitForSpans(2);
    expect(spans.map((s) => s.attributes)).toEqual([
      audioAttributes(completion.id),
      audioAttributes(expect.stringMatching(/^chatcmpl-/)),
    ]);
  });

  it("records them the same through openai 6.x", async () => {
    h.mock.enqueue({ text: "Hello.", usage: audioUsage });
    const completion = await h.openaiV6.chat.completions.create({ model: "gpt-audio", messages });
    const [span] = await h.waitForSpans(1);
    expect(span!.attributes).toEqual(audioAttributes(completion.id));
  });

  it("reads audio only from well-formed counts, and never more than the count it is part of", () => {
    const read = (audio: unknown) =>
      chatUsage({
        prompt_tokens: 100,
        completion_tokens: 10,
        prompt_tokens_details: { audio_tokens: audio },
        completion_tokens_details: { audio_tokens: audio },
      } as never);
    const plain = { input: 100, output: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    expect([undefined, null, "8", Number.NaN, -5, 0, 8, 50].map(read)).toEqual([
      ...Array(6).fill(plain),
      { ...plain, audioInput: 8, audioOutput: 8 },
      // 50 audio of a 10-token completion: held at the 10.
      { ...plain, audioInput: 50, audioOutput: 10 },
    ]);
  });
});

// gpt-4o: $2.50/M in, $10/M out, $10 per 1,000 web searches.
const input = "Weather in Paris today?";

function searchAttributes(responseId: unknown) {
  return {
    [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
    [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
    [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model: "gpt-4o", messages: input }),
    [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-4o",
    [C.ATTR_GEN_AI_RESPONSE_ID]: responseId,
    [C.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
    [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["completed"],
    [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 2_000,
    [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 300,
    [C.ATTR_BURNRATE_USAGE_WEB_SEARCH_REQUESTS]: 2,
    // 2000 * $2.50/M + 300 * $10/M + 2 searches * $10/1000 = 0.005 + 0.003 + 0.02
    [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.028,
    [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
    [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
  };
}

describe("openai Responses web searches", () => {
  it("counts the web_search_call items that searched and charges each, streamed or not", async () => {
    const usage = { input: 2_000, output: 300, webSearches: 2 };
    h.mock.enqueue({ text: "Sunny.", usage });
    const response = await h.openai.responses.create({ model: "gpt-4o", input });
    h.mock.enqueue({ text: "Sunny.", usage });
    const stream = await h.openai.responses.create({ model: "gpt-4o", input, stream: true });
    for await (const _ of stream) {
      // drain
    }
    const spans = await h.waitForSpans(2);
    expect(spans.map((s) => s.attributes)).toEqual([
      searchAttributes(response.id),
      searchAttributes(expect.stringMatching(/^resp_/)),
    ]);
  });

  it("counts only search actions, which OpenAI bills, not pages opened or searched within", () => {
    const call = (action: unknown) => ({ type: "web_search_call", action });
    expect(
      webSearchCount([
        call({ type: "search", query: "paris weather" }),
        call({ type: "open_page", url: "https://example.com" }),
        call({ type: "find_in_page", url: "https://example.com", pattern: "rain" }),
        // Before actions were reported, every web_search_call was a search.
        call(undefined),
        { type: "message", content: [] },
        { type: "function_call", name: "search" },
      ]),
    ).toBe(2);
    expect(webSearchCount(undefined)).toBe(0);
  });
});
