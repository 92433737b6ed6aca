import * as C from "@burnrate/core";
import { SpanStatusCode } from "@opentelemetry/api";
import { countTokens } from "gpt-tokenizer";
import { describe, expect, it } from "vitest";
import { useHarness } from "../../test/harness.js";
import { messagesText } from "../estimate.js";

const h = useHarness();

describe("openai responses and embeddings", () => {
  const input = "Plan the migration.";
  const fingerprint = C.promptFingerprint({ model: "o4-mini", messages: input });

  it("records responses.create with cached and reasoning tokens", async () => {
    h.mock.enqueue({
      text: "Step 1.",
      usage: { input: 3000, cacheRead: 1000, output: 4000, reasoning: 3500 },
    });
    const response = await h.openai.responses.create({ model: "o4-mini", input });
    const [span] = await h.waitForSpans(1);
    expect(span!.attributes).toEqual({
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "o4-mini",
      [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: fingerprint,
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "o4-mini",
      [C.ATTR_GEN_AI_RESPONSE_ID]: response.id,
      [C.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
      [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["completed"],
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 3000,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 4000,
      [C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 1000,
      [C.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 3500,
      // 2000 uncached * $1.10/M + 1000 cached * $0.275/M + 4000 * $4.40/M = 0.0022 + 0.000275 + 0.0176
      [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.020075,
      [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
      [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
    });
  });

  it("puts previous_response_id in the prompt fingerprint: 'continue' to two responses sends two conversations", async () => {
    const turn = async (previous?: string) => {
      h.mock.enqueue({ text: "…and then", usage: { input: 10, output: 3 } });
      await h.openai.responses.create({
        model: "o4-mini",
        input: "continue",
        ...(previous ? { previous_response_id: previous } : {}),
      });
    };
    await turn();
    await turn("resp_a");
    await turn("resp_b");
    await turn("resp_b");
    const spans = await h.waitForSpans(4);
    expect(spans.map((s) => s.attributes[C.ATTR_BURNRATE_PROMPT_FINGERPRINT])).toEqual([
      C.promptFingerprint({ model: "o4-mini", messages: "continue" }),
      C.promptFingerprint({ model: "o4-mini", messages: { previous: "resp_a", input: "continue" } }),
      C.promptFingerprint({ model: "o4-mini", messages: { previous: "resp_b", input: "continue" } }),
      C.promptFingerprint({ model: "o4-mini", messages: { previous: "resp_b", input: "continue" } }),
    ]);
    expect(new Set(spans.map((s) => s.attributes[C.ATTR_BURNRATE_PROMPT_FINGERPRINT])).size).toBe(3);
  });

  it("records a streamed response from its response.completed event", async () => {
    h.mock.enqueue({ text: "Streamed plan.", usage: { input: 3000, output: 4000, reasoning: 3500 } });
    const stream = await h.openai.responses.create({ model: "o4-mini", input, stream: true });
    let text = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
    expect(text).toBe("Streamed plan.");
    const [span] = await h.waitForSpans(1);
    expect({
      input: span!.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
      output: span!.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
      reasoning: span!.attributes[C.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS],
      estimated: span!.attributes[C.ATTR_BURNRATE_USAGE_ESTIMATED],
    }).toEqual({ input: 3000, output: 4000, reasoning: 3500, estimated: undefined });
  });

  it("records a stream that ends in response.failed as an error, with the failed response's usage", async () => {
    const streamError = { afterChunks: 5, type: "server_error", message: "The model failed." };
    const usage = { input: 3000, output: 40 };
    h.mock.enqueue({ text: "Half a plan.", usage, streamError });
    const stream = await h.openai.responses.create({ model: "o4-mini", input, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    // The same through the SDK's helper, which hands over the failed response.
    h.mock.enqueue({ text: "Half a plan.", usage, streamError });
    const helper = await h.openai.responses.stream({ model: "o4-mini", input }).finalResponse();
    const spans = await h.waitForSpans(2);
    const expected = {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "o4-mini",
      [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: fingerprint,
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "o4-mini",
      [C.ATTR_GEN_AI_RESPONSE_ID]: expect.stringMatching(/^resp_/),
      [C.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
      [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["failed"],
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 3000,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 40,
      // 3000 * $1.10/M + 40 * $4.40/M
      [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.003476,
      [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
      [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
      // The response's error code, as OpenTelemetry's error.type prefers a provider's own code.
      [C.ATTR_ERROR_TYPE]: "server_error",
    };
    expect({
      lastEvent: types.at(-1),
      helper: helper.status,
      spans: spans.map((s) => ({ attributes: s.attributes, status: s.status })),
    }).toEqual({
      lastEvent: "response.failed",
      helper: "failed",
      spans: [
        { attributes: expected, status: { code: SpanStatusCode.ERROR, message: "The model failed." } },
        { attributes: expected, status: { code: SpanStatusCode.ERROR, message: "The model failed." } },
      ],
    });
  });

  it("estimates a cut stream's prompt with its tool calls and results, and keeps the response's id and model", async () => {
    const results = JSON.stringify(
      Array.from({ length: 50 }, (_, i) => ({ id: i, title: `Result ${i} about the weather in Paris` })),
    );
    const items = [
      { role: "user" as const, content: "What is the weather in Paris?" },
      { type: "function_call" as const, call_id: "c1", name: "search", arguments: '{"q":"weather paris"}' },
      { type: "function_call_output" as const, call_id: "c1", output: results },
    ];
    // response.created, response.in_progress, output_item.added, content_part.added, one delta.
    h.mock.enqueue({ text: "It is sunny in Paris today.", cutAfterChunks: 5 });
    let seen = "";
    const stream = await h.openai.responses.create({ model: "gpt-4o", input: items, stream: true });
    await (async () => {
      for await (const event of stream) if (event.type === "response.output_text.delta") seen += event.delta;
    })().catch(() => {});
    const [span] = await h.waitForSpans(1);
    const prompt = countTokens(`${messagesText(items)}\n`);
    const output = countTokens(seen);
    expect({ promptHoldsToolResults: prompt > countTokens(results), attributes: span!.attributes }).toEqual({
      promptHoldsToolResults: true,
      attributes: {
        [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
        [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
        [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
        [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model: "gpt-4o", messages: items }),
        [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-4o",
        [C.ATTR_GEN_AI_RESPONSE_ID]: expect.stringMatching(/^resp_/),
        [C.ATTR_BURNRATE_USAGE_ESTIMATED]: true,
        [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: prompt,
        [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output,
        [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: expect.closeTo((prompt * 2.5 + output * 10) / 1e6, 12),
        [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
        [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
        [C.ATTR_ERROR_TYPE]: "TypeError",
      },
    });
  });

  it("counts the reasoning summary a cut stream had sent in its estimated output", async () => {
    const thinking = "The user wants a short forecast; Paris is sunny this week, so answer briefly.";
    // created, in_progress, the reasoning item (added, part added, 2 deltas, text done, part
    // done, item done), then the message item's added, part added and one text delta.
    h.mock.enqueue({ text: "It is sunny in Paris today.", thinking, chunks: 2, cutAfterChunks: 12 });
    const seen = { reasoning: "", text: "" };
    const stream = await h.openai.responses.create({
      model: "o4-mini",
      input: "Weather in Paris?",
      stream: true,
    });
    await (async () => {
      for await (const event of stream) {
        if (event.type === "response.reasoning_summary_text.delta") seen.reasoning += event.delta;
        if (event.type === "response.output_text.delta") seen.text += event.delta;
      }
    })().catch(() => {});
    const [span] = await h.waitForSpans(1);
    expect({
      sawBoth: seen.reasoning === thinking && seen.text.length > 0,
      estimated: span!.attributes[C.ATTR_BURNRATE_USAGE_ESTIMATED],
      output: span!.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
    }).toEqual({ sawBoth: true, estimated: true, output: countTokens(`${seen.reasoning}${seen.text}`) });
  });

  it("records calls made through the SDK's parse and stream helpers, which openai 7 builds on _thenUnwrap", async () => {
    const usage = { input: 300, output: 40 };
    const messages = [{ role: "user" as const, content: "Plan it." }];
    const ran: string[] = [];
    h.mock.enqueue({ text: "Parsed.", usage });
    ran.push(
      (await h.openai.chat.completions.parse({ model: "gpt-4o-mini", messages })).choices[0]!.message
        .content!,
    );
    h.mock.enqueue({ text: "Parsed response.", usage });
    ran.push((await h.openai.responses.parse({ model: "o4-mini", input })).output_text);
    h.mock.enqueue({ text: "Streamed response.", usage });
    ran.push((await h.openai.responses.stream({ model: "o4-mini", input }).finalResponse()).output_text);
    const spans = await h.waitForSpans(3);
    expect({
      ran,
      spans: spans.map((s) => ({
        name: s.name,
        input: s.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
        output: s.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
      })),
    }).toEqual({
      ran: ["Parsed.", "Parsed response.", "Streamed response."],
      spans: [
        { name: "chat gpt-4o-mini", input: 300, output: 40 },
        { name: "chat o4-mini", input: 300, output: 40 },
        { name: "chat o4-mini", input: 300, output: 40 },
      ],
    });
  });

  it("records a parse helper's call whose caller reads the raw response with asResponse()", async () => {
    const usage = { input: 300, output: 40 };
    const messages = [{ role: "user" as const, content: "Plan it." }];
    const bodies: { usage?: unknown }[] = [];
    // openai 7 gives each promise its own _thenUnwrap; openai 6 has it on the class.
    for (const client of [h.openai, h.openaiV6] as const) {
      h.mock.enqueue({ text: "Raw.", usage });
      const chat = await client.chat.completions.parse({ model: "gpt-4o-mini", messages }).asResponse();
      h.mock.enqueue({ text: "Raw response.", usage });
      const response = await client.responses.parse({ model: "o4-mini", input }).asResponse();
      bodies.push(await chat.json(), await response.json());
    }
    const spans = await h.waitForSpans(4);
    expect({
      callerRead: bodies.map((b) => b.usage !== undefined),
      spans: spans.map((s) => ({
        name: s.name,
        input: s.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
        output: s.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
      })),
    }).toEqual({
      callerRead: [true, true, true, true],
      spans: [
        { name: "chat gpt-4o-mini", input: 300, output: 40 },
        { name: "chat o4-mini", input: 300, output: 40 },
        { name: "chat gpt-4o-mini", input: 300, output: 40 },
        { name: "chat o4-mini", input: 300, output: 40 },
      ],
    });
  });

  it("ends the span as failed when the connection drops while the SDK or a helper reads the body", async () => {
    const messages = [{ role: "user" as const, content: "Plan it." }];
    const calls = [
      () => h.openai.chat.completions.create({ model: "gpt-4o-mini", messages }),
      () => h.openai.chat.completions.parse({ model: "gpt-4o-mini", messages }),
      () => h.openai.responses.parse({ model: "o4-mini", input }),
    ];
    const errors: string[] = [];
    for (const call of calls) {
      h.mock.enqueue({ text: "Half of this never arrives.", cutBody: true });
      errors.push(await call().then(String, (e: Error) => `${e.name}: ${e.message}`));
    }
    const spans = await h.waitForSpans(3);
    expect({
      errors,
      spans: spans.map((s) => ({
        name: s.name,
        status: s.status.code,
        errorType: s.attributes[C.ATTR_ERROR_TYPE],
        usage: s.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
      })),
    }).toEqual({
      errors: ["TypeError: terminated", "TypeError: terminated", "TypeError: terminated"],
      spans: [
        { name: "chat gpt-4o-mini", status: SpanStatusCode.ERROR, errorType: "TypeError", usage: undefined },
        { name: "chat gpt-4o-mini", status: SpanStatusCode.ERROR, errorType: "TypeError", usage: undefined },
        { name: "chat o4-mini", status: SpanStatusCode.ERROR, errorType: "TypeError", usage: undefined },
      ],
    });
  });

  it("records embeddings.create with input tokens only", async () => {
    h.mock.enqueue({ usage: { input: 64 } });
    const result = await h.openai.embeddings.create({
      model: "text-embedding-3-small",
      input: "hello world",
    });
    expect(result.data.length).toBe(1);
    const [span] = await h.waitForSpans(1);
    expect(span!.name).toBe("embeddings text-embedding-3-small");
    expect(span!.attributes).toEqual({
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_OPERATION_NAME]: "embeddings",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "text-embedding-3-small",
      [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({
        model: "text-embedding-3-small",
        messages: "hello world",
      }),
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "text-embedding-3-small",
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 64,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
      // 64 * $0.02/M
      [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.00000128,
      [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
      [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
    });
  });
});
