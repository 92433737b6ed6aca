import * as C from "@burnrate/core";
import { SpanStatusCode } from "@opentelemetry/api";
import { countTokens, encode } from "gpt-tokenizer";
import { describe, expect, it } from "vitest";
import { useHarness } from "../../test/harness.js";
import { messagesText } from "../estimate.js";
import { getRuntime } from "../runtime.js";

const h = useHarness();

const messages = [{ role: "user" as const, content: "Weather in Paris?" }];

describe("openai chat.completions streams", () => {
  it("takes the response model and id from the first chunk that has them, past Azure's prompt-filter chunk", async () => {
    // On Azure the request names a deployment; only the response names the model to price.
    const deployment = "my-gpt4o-deployment";
    h.mock.enqueue({
      text: "Sunny.",
      model: "gpt-4o-2024-08-06",
      usage: { input: 1000, output: 20 },
      azureFilterChunk: true,
    });
    const stream = await h.openai.chat.completions.create({
      model: deployment,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) {
      // drain
    }
    const [span] = await h.waitForSpans(1);
    expect(span!.attributes).toEqual({
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: deployment,
      [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model: deployment, messages }),
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-4o-2024-08-06",
      [C.ATTR_GEN_AI_RESPONSE_ID]: expect.stringMatching(/^chatcmpl-mock/),
      [C.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
      [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["stop"],
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 20,
      // 1000 * $2.50/M + 20 * $10/M
      [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.0027,
      [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
      [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
    });
  });

  it("fingerprints each choice's tool calls apart when n > 1, streamed or not", async () => {
    const toolCalls = [{ name: "get_weather", arguments: { city: "Paris" } }];
    const tools = [
      { type: "function" as const, function: { name: "get_weather", parameters: { type: "object" } } },
    ];
    const fingerprint = C.toolCallFingerprint("get_weather", { city: "Paris" });
    h.mock.enqueue({ toolCalls });
    await h.openai.chat.completions.create({ model: "gpt-4o", messages, tools, n: 2 });
    h.mock.enqueue({ toolCalls });
    const stream = await h.openai.chat.completions.create({
      model: "gpt-4o",
      messages,
      tools,
      n: 2,
      stream: true,
    });
    for await (const _ of stream) {
      // drain
    }
    const spans = await h.waitForSpans(2);
    expect(
      spans.map((s) => [
        s.attributes[C.ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS],
        s.attributes[C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS],
      ]),
    ).toEqual([
      [
        [fingerprint, fingerprint],
        ["tool_calls", "tool_calls"],
      ],
      [
        [fingerprint, fingerprint],
        ["tool_calls", "tool_calls"],
      ],
    ]);
  });

  it("estimates a prompt holding special-token text as ordinary text", async () => {
    const special = [{ role: "user" as const, content: "What does <|endoftext|> mean in <|im_start|>?" }];
    const reply = "It ends a document.";
    h.mock.enqueue({ text: reply });
    const stream = await h.openai.chat.completions.create({
      model: "gpt-4o",
      messages: special,
      stream: true,
    });
    for await (const _ of stream) {
      // drain
    }
    const [span] = await h.waitForSpans(1);
    const input = encode(messagesText(special), { disallowedSpecial: new Set() }).length;
    const output = countTokens(reply);
    expect(span!.attributes).toEqual({
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
      [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model: "gpt-4o", messages: special }),
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-4o",
      [C.ATTR_GEN_AI_RESPONSE_ID]: expect.stringMatching(/^chatcmpl-mock/),
      [C.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
      [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["stop"],
      [C.ATTR_BURNRATE_USAGE_ESTIMATED]: true,
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output,
      [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: (input * 2.5 + output * 10) / 1e6,
      [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
      [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
    });
  });

  it("ends the call of a stream aborted before it is read once the app reads it, and leaves the stream as the SDK would", async () => {
    h.mock.enqueue({ text: "never read", chunkDelayMs: 50 });
    const stream = await h.openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    stream.controller.abort();
    // The SDK ends an aborted stream quietly. (A stream the app drops instead ends its call
    // when it is garbage-collected: see chat.test.ts.)
    const read: unknown[] = [];
    for await (const chunk of stream) read.push(chunk);
    const [span] = await h.waitForSpans(1);
    const trackedByKillSwitch = getRuntime().killSwitch.trackedStreams;
    const input = countTokens(messagesText(messages));
    expect({
      read,
      trackedByKillSwitch,
      status: span!.status.code,
      attributes: span!.attributes,
    }).toEqual({
      read: [],
      trackedByKillSwitch: 0,
      status: SpanStatusCode.ERROR,
      attributes: {
        [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
        [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
        [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
        [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model: "gpt-4o", messages }),
        [C.ATTR_BURNRATE_USAGE_ESTIMATED]: true,
        [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input,
        [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
        [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: (input * 2.5) / 1e6,
        [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
        [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
        [C.ATTR_ERROR_TYPE]: "AbortError",
      },
    });
  });
});
