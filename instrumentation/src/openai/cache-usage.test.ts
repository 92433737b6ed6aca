import * as C from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { useHarness } from "../../test/harness.js";
import { openAiUsage } from "./usage.js";

const h = useHarness();

// gpt-6-sol charges cache writes above its input price: $2/M input, $2.50/M cache write,
// $0.20/M cache read, $10/M output.
const model = "gpt-6-sol";
const messages = [{ role: "user" as const, content: "Summarise the repository." }];
const input = "Summarise the repository.";
// The whole prompt is 100000 tokens: 10000 uncached, 10000 read from the cache, 80000 written to it.
const usage = { input: 100_000, cacheRead: 10_000, cacheWrite: 80_000, output: 100 };

function expectedAttributes(messagesOrInput: unknown, finishReason: string) {
  return {
    [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
    [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [C.ATTR_GEN_AI_REQUEST_MODEL]: model,
    [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model, messages: messagesOrInput }),
    [C.ATTR_GEN_AI_RESPONSE_MODEL]: model,
    [C.ATTR_GEN_AI_RESPONSE_ID]: expect.any(String),
    [C.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
    [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: [finishReason],
    // input stays the whole prompt: OpenAI's prompt_tokens already holds the written tokens.
    [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 100_000,
    [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 100,
    [C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 10_000,
    [C.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 80_000,
    // 10000 * $2/M + 10000 * $0.20/M + 80000 * $2.50/M + 100 * $10/M = 0.02 + 0.002 + 0.2 + 0.001
    [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.223,
    [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
    [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
  };
}

describe("openai prompt-cache writes", () => {
  it("records the cache writes Chat Completions reports, streamed or not, inside the whole prompt", async () => {
    h.mock.enqueue({ text: "A monorepo.", usage });
    await h.openai.chat.completions.create({ model, messages });
    h.mock.enqueue({ text: "A monorepo.", usage });
    const stream = await h.openai.chat.completions.create({
      model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) {
      // drain
    }
    const spans = await h.waitForSpans(2);
    expect(spans.map((s) => s.attributes)).toEqual([
      expectedAttributes(messages, "stop"),
      expectedAttributes(messages, "stop"),
    ]);
  });

  it("records the cache writes the Responses API reports, streamed or not, inside the whole prompt", async () => {
    h.mock.enqueue({ text: "A monorepo.", usage });
    await h.openai.responses.create({ model, input });
    h.mock.enqueue({ text: "A monorepo.", usage });
    const stream = await h.openai.responses.create({ model, input, stream: true });
    for await (const _ of stream) {
      // drain
    }
    const spans = await h.waitForSpans(2);
    expect(spans.map((s) => s.attributes)).toEqual([
      expectedAttributes(input, "completed"),
      expectedAttributes(input, "completed"),
    ]);
  });
});

describe("openAiUsage", () => {
  it("keeps cache writes within the prompt beside its cache reads, so input stays the whole prompt", () => {
    const counts = { input: 1000, output: 10, cacheRead: 600, reasoning: 0 };
    expect([
      openAiUsage({ ...counts, cacheWrite: 300 }),
      openAiUsage({ ...counts, cacheWrite: 700 }),
    ]).toEqual([
      { ...counts, cacheWrite: 300 },
      { ...counts, cacheWrite: 400 },
    ]);
  });
});
