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
