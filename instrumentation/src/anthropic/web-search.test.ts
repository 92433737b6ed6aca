import * as C from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { useHarness } from "../../test/harness.js";
import { anthropicUsage } from "./messages.js";

const h = useHarness();

// Claude Sonnet 4.5: $3/M in, $15/M out, $10 per 1,000 web searches.
const model = "claude-sonnet-4-5";
const messages = [{ role: "user" as const, content: "What changed in the news today?" }];
const usage = { input: 3, output: 1_000, webSearches: 5 };

function expectedAttributes(responseId: unknown) {
  return {
    [C.ATTR_GEN_AI_PROVIDER_NAME]: "anthropic",
    [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [C.ATTR_GEN_AI_REQUEST_MODEL]: model,
    [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model, messages }),
    [C.ATTR_GEN_AI_RESPONSE_MODEL]: model,
    [C.ATTR_GEN_AI_RESPONSE_ID]: responseId,
    [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["end_turn"],
    [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 3,
    [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 1_000,
    [C.ATTR_BURNRATE_USAGE_WEB_SEARCH_REQUESTS]: 5,
    // 3 * $3/M + 1000 * $15/M + 5 searches * $10/1000 = 0.000009 + 0.015 + 0.05
    // (without the searches it was 0.015009)
    [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.065009,
    [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
    [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
  };
}

describe("anthropic web searches", () => {
  it("records server_tool_use.web_search_requests and charges each search, streamed or not", async () => {
    h.mock.enqueue({ text: "Rates held.", usage });
    const message = await h.anthropic.messages.create({ model, max_tokens: 1024, messages });
    h.mock.enqueue({ text: "Rates held.", usage });
    const stream = await h.anthropic.messages.create({ model, max_tokens: 1024, messages, stream: true });
    for await (const _ of stream) {
      // drain
    }
    // The SDK's stream helper reads the same events.
    h.mock.enqueue({ text: "Rates held.", usage });
    await h.anthropic.messages.stream({ model, max_tokens: 1024, messages }).finalMessage();
    const spans = await h.waitForSpans(3);
    expect(spans.map((s) => s.attributes)).toEqual([
      expectedAttributes(message.id),
      expectedAttributes(expect.stringMatching(/^msg_/)),
      expectedAttributes(expect.stringMatching(/^msg_/)),
    ]);
  });

  it("reads the searches only from a well-formed server_tool_use", () => {
    const read = (server_tool_use: unknown) =>
      anthropicUsage({ input_tokens: 10, output_tokens: 1, server_tool_use } as never);
    const plain = { input: 10, output: 1, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    expect(
      [
        undefined,
        null,
        3,
        {},
        { web_search_requests: null },
        { web_search_requests: "3" },
        { web_search_requests: Number.NaN },
        { web_search_requests: -1 },
        { web_search_requests: 0, web_fetch_requests: 4 },
        { web_search_requests: 3, web_fetch_requests: 4 },
      ].map(read),
    ).toEqual([...Array(9).fill(plain), { ...plain, webSearches: 3 }]);
  });
});
