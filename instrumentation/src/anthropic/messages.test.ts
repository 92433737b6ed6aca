import Anthropic from "@anthropic-ai/sdk";
import * as C from "@burnrate/core";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { testTracer, useHarness } from "../../test/harness.js";
import { anthropicUsage } from "./messages.js";

const h = useHarness();

const model = "claude-sonnet-4-6";
const messages = [{ role: "user" as const, content: "Summarise the ticket." }];
const system = "You are a support agent.";
const fingerprint = C.promptFingerprint({ model, messages, system });
// Whole prompt 37000 = 2000 uncached + 30000 cache read + 5000 cache write; 800 out.
const usage = { input: 37_000, cacheRead: 30_000, cacheWrite: 5_000, output: 800 };
// 2000 * $3/M + 30000 * $0.30/M + 5000 * $3.75/M + 800 * $15/M = 0.006 + 0.009 + 0.01875 + 0.012
const cost = 0.04575;
// The same prompt with 2000 of the 5000 cache writes to the one-hour cache, billed at $6/M:
// 2000 * $3/M + 30000 * $0.30/M + 3000 * $3.75/M + 2000 * $6/M + 800 * $15/M
//   = 0.006 + 0.009 + 0.01125 + 0.012 + 0.012
const oneHourUsage = { ...usage, cacheWrite1h: 2_000 };
const oneHourCost = 0.05025;

function expectedAttributes(responseId: unknown, extra: Record<string, unknown> = {}) {
  return {
    [C.ATTR_GEN_AI_PROVIDER_NAME]: "anthropic",
    [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [C.ATTR_GEN_AI_REQUEST_MODEL]: model,
    [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: fingerprint,
    [C.ATTR_GEN_AI_RESPONSE_MODEL]: model,
    [C.ATTR_GEN_AI_RESPONSE_ID]: responseId,
    [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["end_turn"],
    [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 37_000,
    [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 800,
    [C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 30_000,
    [C.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 5_000,
    [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: cost,
    [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
    [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
    ...extra,
  };
}

describe("anthropic messages", () => {
  it("records cache read and cache write tokens on a non-streaming call", async () => {
    h.mock.enqueue({ text: "Done.", usage });
    const message = await h.anthropic.messages.create({ model, max_tokens: 1024, system, messages });
    const [span] = await h.waitForSpans(1);
    expect(span!.name).toBe(`chat ${model}`);
    expect(span!.attributes).toEqual(expectedAttributes(message.id));
  });

  it("records one-hour cache writes and prices them at the one-hour rate on a non-streaming call", async () => {
    h.mock.enqueue({ text: "Done.", usage: oneHourUsage });
    const message = await h.anthropic.messages.create({ model, max_tokens: 1024, system, messages });
    const [span] = await h.waitForSpans(1);
    expect(span!.attributes).toEqual(
      expectedAttributes(message.id, {
        [C.ATTR_BURNRATE_USAGE_CACHE_CREATION_1H_INPUT_TOKENS]: 2_000,
        [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: oneHourCost,
      }),
    );
  });

  it("records one-hour cache writes and prices them at the one-hour rate on a stream", async () => {
    h.mock.enqueue({ text: "Streaming summary.", usage: oneHourUsage });
    const stream = await h.anthropic.messages.create({
      model,
      max_tokens: 1024,
      system,
      messages,
      stream: true,
    });
    for await (const _ of stream) {
      // drain
    }
    const [span] = await h.waitForSpans(1);
    expect(span!.attributes).toEqual(
      expectedAttributes(expect.stringMatching(/^msg_/), {
        [C.ATTR_BURNRATE_USAGE_CACHE_CREATION_1H_INPUT_TOKENS]: 2_000,
        [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: oneHourCost,
      }),
    );
  });

  it("reads the one-hour cache writes only from a well-formed cache_creation", () => {
    const base = { input_tokens: 10, cache_creation_input_tokens: 50, output_tokens: 1 };
    const read = (cache_creation: unknown) => anthropicUsage({ ...base, cache_creation } as never);
    const plain = { input: 60, output: 1, cacheRead: 0, cacheWrite: 50, reasoning: 0 };
    expect(
      [
        undefined,
        null,
        "50",
        7,
        [],
        {},
        { ephemeral_1h_input_tokens: null },
        { ephemeral_1h_input_tokens: "20" },
        { ephemeral_1h_input_tokens: Number.NaN },
        { ephemeral_1h_input_tokens: -5 },
        { ephemeral_1h_input_tokens: 0 },
        { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 20 },
        // More than all the writes: capped at them.
        { ephemeral_1h_input_tokens: 80 },
      ].map(read),
    ).toEqual([...Array(11).fill(plain), { ...plain, cacheWrite1h: 20 }, { ...plain, cacheWrite1h: 50 }]);
  });

  it("records thinking tokens as reasoning tokens, streamed or not", async () => {
    const thinking = { ...usage, reasoning: 500 };
    h.mock.enqueue({ text: "Thought it through.", usage: thinking });
    const message = await h.anthropic.messages.create({ model, max_tokens: 1024, system, messages });
    h.mock.enqueue({ text: "Thought it through.", usage: thinking });
    const streamed = await h.anthropic.messages
      .stream({ model, max_tokens: 1024, system, messages })
      .finalMessage();
    const spans = await h.waitForSpans(2);
    // Thinking is billed as output and already counted in output_tokens, so the cost is unchanged.
    expect(spans.map((s) => s.attributes)).toEqual([
      expectedAttributes(message.id, { [C.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 500 }),
      expectedAttributes(streamed.id, { [C.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 500 }),
    ]);
  });

  it("records a stream created with stream: true", async () => {
    h.mock.enqueue({ text: "Streaming summary.", usage });
    const stream = await h.anthropic.messages.create({
      model,
      max_tokens: 1024,
      system,
      messages,
      stream: true,
    });
    let text = "";
    for await (const event of stream) {
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
    }
    expect(text).toBe("Streaming summary.");
    const [span] = await h.waitForSpans(1);
    expect(span!.attributes).toEqual(expectedAttributes(expect.stringMatching(/^msg_/)));
  });

  it("records the messages.stream() helper once, through the create call it makes", async () => {
    h.mock.enqueue({ text: "Helper summary.", usage });
    const final = await h.anthropic.messages
      .stream({ model, max_tokens: 1024, system, messages })
      .finalMessage();
    expect(final.content.map((b) => (b.type === "text" ? b.text : b.type))).toEqual(["Helper summary."]);
    const spans = await h.waitForSpans(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.spans().map((s) => `${s.name} (${s.instrumentationScope.name})`)).toEqual([
      `chat ${model} (@burnrate/instrumentation)`,
    ]);
    expect(spans[0]!.attributes).toEqual(expectedAttributes(final.id));
  });

  it("leaves tracing on in the app's handlers of the messages.stream() helper", async () => {
    h.mock.enqueue({ text: "Helper summary.", usage });
    const app = testTracer();
    const root = app.startSpan("handle request");
    const recording: boolean[] = [];
    await context.with(trace.setSpan(context.active(), root), async () => {
      const stream = h.anthropic.messages.stream({ model, max_tokens: 1024, system, messages });
      stream.on("text", () => {
        const span = app.startSpan("render chunk");
        recording.push(span.isRecording());
        span.end();
      });
      await stream.finalMessage();
    });
    root.end();
    await h.waitForSpans(2);
    const rootId = root.spanContext().spanId;
    expect({
      recording: [...new Set(recording)],
      // The handler's spans are the app's, under its request; the LLM call is recorded once.
      spans: [
        ...new Set(
          h.spans().map((s) => `${s.name} <- ${s.parentSpanContext?.spanId === rootId ? "request" : "?"}`),
        ),
      ],
    }).toEqual({
      recording: [true],
      spans: ["render chunk <- request", `chat ${model} <- request`, "handle request <- ?"],
    });
  });

  it("fingerprints tool_use blocks, streamed or not", async () => {
    const toolCalls = [{ name: "search_tickets", arguments: { query: "refund", limit: 5 } }];
    const expected = [C.toolCallFingerprint("search_tickets", { limit: 5, query: "refund" })];
    const tools = [{ name: "search_tickets", input_schema: { type: "object" as const } }];
    h.mock.enqueue({ toolCalls });
    await h.anthropic.messages.create({ model, max_tokens: 256, messages, tools });
    h.mock.enqueue({ toolCalls, chunks: 4 });
    const stream = await h.anthropic.messages.create({
      model,
      max_tokens: 256,
      messages,
      tools,
      stream: true,
    });
    for await (const _ of stream) {
      // drain
    }
    const spans = await h.waitForSpans(2);
    expect(spans.map((s) => s.attributes[C.ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS])).toEqual([
      expected,
      expected,
    ]);
    expect(spans.map((s) => s.attributes[C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS])).toEqual([
      ["tool_use"],
      ["tool_use"],
    ]);
  });

  it("marks a 429 as an error span and leaves the SDK's error unchanged", async () => {
    h.mock.enqueue({ error: { status: 429, retryAfter: 1 } });
    const error = await h.anthropic.messages
      .create({ model, max_tokens: 10, messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const [span] = await h.waitForSpans(1);
    expect({ type: span!.attributes[C.ATTR_ERROR_TYPE], status: span!.status.code }).toEqual({
      type: "RateLimitError",
      status: SpanStatusCode.ERROR,
    });
  });
});
