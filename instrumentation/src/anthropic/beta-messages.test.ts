import * as C from "@burnrate/core";
import { context, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { testTracer, useHarness } from "../../test/harness.js";
import { configure } from "../budget.js";
import { BudgetExceededError } from "../errors.js";
import { getRuntime } from "../runtime.js";

const h = useHarness();

const model = "claude-sonnet-4-6";
const messages = [{ role: "user" as const, content: "Summarise the ticket." }];
const usage = { input: 2_000, output: 300 };
// 2000 * $3/M + 300 * $15/M
const cost = 0.0105;

function expectedAttributes(responseId: string) {
  return {
    [C.ATTR_GEN_AI_PROVIDER_NAME]: "anthropic",
    [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [C.ATTR_GEN_AI_REQUEST_MODEL]: model,
    [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model, messages }),
    [C.ATTR_GEN_AI_RESPONSE_MODEL]: model,
    [C.ATTR_GEN_AI_RESPONSE_ID]: responseId,
    [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["end_turn"],
    [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 2_000,
    [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 300,
    [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: cost,
    [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
    [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
  };
}

afterEach(() => {
  getRuntime().guard.reset();
  configure({ maxCallsPerTrace: undefined });
});

describe("anthropic beta.messages", () => {
  it("records create and the stream helper as it records messages, with one span each", async () => {
    const betas = ["context-1m-2025-08-07"];
    h.mock.enqueue({ text: "Done.", usage });
    const created = await h.anthropic.beta.messages.create({ model, max_tokens: 1024, messages, betas });
    h.mock.enqueue({ text: "Streamed.", usage });
    const streamed = await h.anthropic.beta.messages
      .stream({ model, max_tokens: 1024, messages, betas })
      .finalMessage();
    const spans = await h.waitForSpans(2);
    expect(spans.map((s) => ({ name: s.name, attributes: s.attributes }))).toEqual([
      { name: `chat ${model}`, attributes: expectedAttributes(created.id) },
      { name: `chat ${model}`, attributes: expectedAttributes(streamed.id) },
    ]);
  });

  it("are held to the local guard's limits: the call over the limit is never sent", async () => {
    configure({ maxCallsPerTrace: 2 });
    h.mock.setDefault({ text: "Again.", usage });
    const root = testTracer().startSpan("agent run");
    const outcomes = await context.with(trace.setSpan(context.active(), root), async () => {
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        await h.anthropic.beta.messages.create({ model, max_tokens: 1024, messages }).then(
          () => seen.push("sent"),
          (error: unknown) => seen.push(error instanceof BudgetExceededError ? error.measure : String(error)),
        );
      }
      return seen;
    });
    root.end();
    expect({ outcomes, received: h.mock.requestCount("anthropic.messages") }).toEqual({
      outcomes: ["sent", "sent", "calls", "calls"],
      received: 2,
    });
  });

  it("records each turn of the streaming tool runner, which parses create's raw response itself", async () => {
    const tool = {
      name: "get_weather",
      description: "The weather in a city.",
      input_schema: { type: "object" as const, properties: { city: { type: "string" } } },
      run: async () => "sunny",
    };
    h.mock.enqueue({
      toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }],
      usage: { input: 500, output: 10 },
    });
    h.mock.enqueue({ text: "Sunny in Paris.", usage: { input: 800, output: 5 } });
    const runner = h.anthropic.beta.messages.toolRunner({
      model,
      max_tokens: 1024,
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [tool],
      stream: true,
    });
    for await (const turn of runner) {
      for await (const _ of turn) {
        // read each turn's stream to the end, as an app does
      }
    }
    // The SDK's own spans of the runner and of the tool's run come out too (not model calls).
    const spans = (await h.waitForSpans(4)).filter((s) => s.name.startsWith("chat "));
    expect(
      spans.map((s) => ({
        name: s.name,
        input: s.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
        output: s.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
        estimated: s.attributes[C.ATTR_BURNRATE_USAGE_ESTIMATED],
        toolCalls: s.attributes[C.ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS],
        // 500 * $3/M + 10 * $15/M, then 800 * $3/M + 5 * $15/M
        cost: s.attributes[C.ATTR_GEN_AI_USAGE_COST_AMOUNT],
      })),
    ).toEqual([
      {
        name: `chat ${model}`,
        input: 500,
        output: 10,
        estimated: undefined,
        toolCalls: [C.toolCallFingerprint("get_weather", { city: "Paris" })],
        cost: 0.00165,
      },
      {
        name: `chat ${model}`,
        input: 800,
        output: 5,
        estimated: undefined,
        toolCalls: undefined,
        cost: 0.002475,
      },
    ]);
  });

  it("leave token counting untraced: it is free and no model call, so it makes no span", async () => {
    h.mock.enqueue({ usage: { input: 4_321 } }, "anthropic.count_tokens");
    h.mock.enqueue({ usage: { input: 1_234 } }, "anthropic.count_tokens");
    const counted = [
      await h.anthropic.messages.countTokens({ model, messages }),
      await h.anthropic.beta.messages.countTokens({ model, messages }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect({
      counted,
      received: h.mock.requestCount("anthropic.count_tokens"),
      spans: h.spans().map((s) => s.name),
    }).toEqual({
      counted: [{ input_tokens: 4_321 }, { input_tokens: 1_234 }],
      received: 2,
      spans: [],
    });
  });
});
