import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as C from "@burnrate/core";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { hrTimeToMilliseconds } from "@opentelemetry/core";
import { countTokens } from "gpt-tokenizer";
import OpenAI from "openai";
import { describe, expect, it, vi } from "vitest";
import { useHarness } from "../../test/harness.js";
import { messagesText } from "../estimate.js";
import { getRuntime } from "../runtime.js";

const h = useHarness();

const messages = [
  { role: "system" as const, content: "You are terse." },
  { role: "user" as const, content: "Capital of France?" },
];
const fingerprint = C.promptFingerprint({ model: "gpt-4o", messages });

describe("openai chat.completions.create", () => {
  it("records a non-streaming call with cached and reasoning tokens and a local cost", async () => {
    h.mock.enqueue({ text: "Paris.", usage: { input: 1200, cacheRead: 1024, output: 300 } });
    const completion = await h.openai.chat.completions.create({ model: "gpt-4o", messages });
    expect(completion.choices[0]?.message.content).toBe("Paris.");
    const [span] = await h.waitForSpans(1);
    expect(span!.name).toBe("chat gpt-4o");
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.attributes).toEqual({
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
      [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: fingerprint,
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-4o",
      [C.ATTR_GEN_AI_RESPONSE_ID]: completion.id,
      [C.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
      [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["stop"],
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1200,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 300,
      [C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 1024,
      // 176 uncached * $2.50/M + 1024 cached * $1.25/M + 300 * $10/M = $0.00472
      [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.00472,
      [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
      [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("prices a priority request at the tier the response says it was served at", async () => {
    const usage = { input: 1_000_000, output: 0 };
    h.mock.enqueue({ text: "fast", usage }); // served at priority, as asked
    await h.openai.chat.completions.create({ model: "gpt-4o", messages, service_tier: "priority" });
    h.mock.enqueue({ text: "slow", usage, serviceTier: "default" }); // no priority capacity left
    await h.openai.chat.completions.create({ model: "gpt-4o", messages, service_tier: "priority" });
    const spans = await h.waitForSpans(2);
    expect(
      spans.map((s) => [
        s.attributes[C.ATTR_OPENAI_RESPONSE_SERVICE_TIER],
        s.attributes[C.ATTR_GEN_AI_USAGE_COST_AMOUNT],
      ]),
    ).toEqual([
      ["priority", 4.25], // 1M input tokens at gpt-4o's priority price
      ["default", 2.5], // and at its standard price
    ]);
  });

  it("prices the call at the moment it started, as the collector does, not when the reply came", async () => {
    const price = vi.spyOn(getRuntime().priceBook, "totalUsd");
    // The wall clock drifts from the monotonic one over a process's life (by more than a
    // millisecond in a CI run): the span's start is on the wall clock, and so must the price's be.
    const realNow = Date.now;
    const drifted = vi.spyOn(Date, "now").mockImplementation(() => realNow() + 5_000);
    try {
      h.mock.enqueue({ text: "late", usage: { input: 100, output: 10 }, latencyMs: 60 });
      await h.openai.chat.completions.create({ model: "gpt-4o", messages });
      const [span] = await h.waitForSpans(1);
      const startMs = hrTimeToMilliseconds(span!.startTime);
      expect(price).toHaveBeenCalledTimes(1);
      expect(Math.abs(price.mock.calls[0]![0].atMs - startMs)).toBeLessThan(1);
      expect(hrTimeToMilliseconds(span!.endTime) - startMs).toBeGreaterThanOrEqual(60);
    } finally {
      drifted.mockRestore();
      price.mockRestore();
    }
  });

  it("keeps the SDK's own APIPromise: withResponse() and asResponse() still work", async () => {
    h.mock.enqueue({ text: "one", usage: { input: 10, output: 2 } });
    h.mock.enqueue({ text: "two", usage: { input: 20, output: 4 } });
    const promise = h.openai.chat.completions.create({ model: "gpt-4o", messages });
    const { data, response } = await promise.withResponse();
    expect({ text: data.choices[0]?.message.content, status: response.status }).toEqual({
      text: "one",
      status: 200,
    });
    const raw = await h.openai.chat.completions.create({ model: "gpt-4o", messages }).asResponse();
    // The raw body is still the caller's to read, and the call is recorded from a copy of it.
    const body = (await raw.json()) as { choices: { message: { content: string } }[] };
    expect({ status: raw.status, text: body.choices[0]?.message.content }).toEqual({
      status: 200,
      text: "two",
    });
    const spans = await h.waitForSpans(2);
    expect(
      spans.map((s) => [
        s.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
        s.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
      ]),
    ).toEqual([
      [10, 2],
      [20, 4],
    ]);
  });

  it("lets the caller ask for the raw response again after reading it, as the SDK does", async () => {
    h.mock.enqueue({ text: "once", usage: { input: 10, output: 2 } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const promise = h.openai.chat.completions.create({ model: "gpt-4o", messages });
    await (await promise.asResponse()).json();
    // The body is gone; a second raw read must not make telemetry throw.
    const again = await promise.asResponse();
    const [span] = await h.waitForSpans(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off("unhandledRejection", onUnhandled);
    expect({
      status: again.status,
      unhandled,
      usage: [
        span!.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
        span!.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
      ],
    }).toEqual({ status: 200, unhandled: [], usage: [10, 2] });
  });

  it("ends the call of a stream the app drops unread once the stream is collected, and keeps nothing of it", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    h.mock.setDefault({ text: "never read", usage: { input: 10, output: 2 } });
    const dropStreams = async () => {
      for (let i = 0; i < 5; i++)
        await h.openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    };
    await dropStreams();
    for (let i = 0; i < 20 && h.spans().length < 5; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const spans = await h.waitForSpans(5);
    expect({
      spans: spans.map((s) => s.attributes[C.ATTR_BURNRATE_USAGE_ESTIMATED]),
      trackedByKillSwitch: getRuntime().killSwitch.trackedStreams,
    }).toEqual({ spans: [true, true, true, true, true], trackedByKillSwitch: 0 });
    h.mock.reset();
  });

  it("reads a raw stream's usage from a copy of its events and leaves the stream to the caller", async () => {
    h.mock.enqueue({ text: "raw words", usage: { input: 9, output: 2 } });
    const raw = await h.openai.chat.completions
      .create({ model: "gpt-4o", messages, stream: true, stream_options: { include_usage: true } })
      .asResponse();
    const text = await raw.text();
    expect({ status: raw.status, sse: text.startsWith("data: "), done: text.includes("[DONE]") }).toEqual({
      status: 200,
      sse: true,
      done: true,
    });
    const [span] = await h.waitForSpans(1);
    expect([
      span!.name,
      span!.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
      span!.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
    ]).toEqual(["chat gpt-4o", 9, 2]);
  });

  it("records a stream with include_usage, yielding every chunk to the caller first", async () => {
    h.mock.enqueue({ text: "Paris is the capital.", usage: { input: 50, output: 6, reasoning: 2 } });
    const stream = await h.openai.chat.completions.create({
      model: "gpt-4o",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Paris is the capital.");
    const [span] = await h.waitForSpans(1);
    expect(span!.attributes).toEqual({
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
      [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: fingerprint,
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-4o",
      [C.ATTR_GEN_AI_RESPONSE_ID]: expect.stringMatching(/^chatcmpl-/),
      [C.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
      [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["stop"],
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 50,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 6,
      [C.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 2,
      // 50 * $2.50/M + 6 * $10/M = $0.000185
      [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.000185,
      [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
      [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
    });
  });

  it("estimates usage with a tokenizer for a stream without include_usage", async () => {
    const reply = "Paris, on the Seine.";
    h.mock.enqueue({ text: reply });
    const stream = await h.openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    for await (const _ of stream) {
      // drain
    }
    const [span] = await h.waitForSpans(1);
    const input = countTokens(messagesText(messages));
    const output = countTokens(reply);
    expect(span!.attributes).toEqual({
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
      [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: fingerprint,
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-4o",
      [C.ATTR_GEN_AI_RESPONSE_ID]: expect.stringMatching(/^chatcmpl-/),
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

  it("fingerprints the tool calls the model requested, streamed or not", async () => {
    const call = { name: "read_file", arguments: { path: "src/a.ts", encoding: "utf8" } };
    const expected = [C.toolCallFingerprint("read_file", { encoding: "utf8", path: "src/a.ts" })];
    h.mock.enqueue({ toolCalls: [call] });
    const tools = [
      { type: "function" as const, function: { name: "read_file", parameters: { type: "object" } } },
    ];
    await h.openai.chat.completions.create({ model: "gpt-4o", messages, tools });
    h.mock.enqueue({ toolCalls: [call], chunks: 5 });
    const stream = await h.openai.chat.completions.create({ model: "gpt-4o", messages, tools, stream: true });
    for await (const _ of stream) {
      // drain
    }
    const spans = await h.waitForSpans(2);
    expect(spans.map((s) => s.attributes[C.ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS])).toEqual([
      expected,
      expected,
    ]);
    expect(spans.map((s) => s.attributes[C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS])).toEqual([
      ["tool_calls"],
      ["tool_calls"],
    ]);
  });

  it("marks a 429 as an error span and leaves the SDK's error unchanged", async () => {
    h.mock.enqueue({ error: { status: 429, message: "slow down", retryAfter: 1 } });
    const error = await h.openai.chat.completions
      .create({ model: "gpt-4o", messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).status).toBe(429);
    const [span] = await h.waitForSpans(1);
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    expect(span!.attributes[C.ATTR_ERROR_TYPE]).toBe("RateLimitError");
    expect(span!.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeUndefined();
  });

  it("records an abort in the middle of a stream as an error with estimated usage", async () => {
    h.mock.enqueue({ text: "a long answer that keeps going and going", chunks: 8, chunkDelayMs: 20 });
    const stream = await h.openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    const seen: string[] = [];
    for await (const chunk of stream) {
      seen.push(chunk.choices[0]?.delta.content ?? "");
      if (seen.length === 3) stream.controller.abort();
    }
    // The SDK ends an aborted stream quietly, and still does so when instrumented.
    expect(seen.length).toBe(3);
    const [span] = await h.waitForSpans(1);
    expect({
      errorType: span!.attributes[C.ATTR_ERROR_TYPE],
      status: span!.status.code,
      estimated: span!.attributes[C.ATTR_BURNRATE_USAGE_ESTIMATED],
      output: span!.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
    }).toEqual({
      errorType: "AbortError",
      status: SpanStatusCode.ERROR,
      estimated: true,
      output: countTokens(seen.join("")),
    });
  });

  it("keeps tee() working on an instrumented stream", async () => {
    h.mock.enqueue({ text: "shared text", usage: { input: 10, output: 3 } });
    const stream = await h.openai.chat.completions.create({
      model: "gpt-4o",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const [left, right] = stream.tee();
    const read = async (s: typeof left) => {
      let t = "";
      for await (const c of s) t += c.choices[0]?.delta.content ?? "";
      return t;
    };
    expect(await Promise.all([read(left), read(right)])).toEqual(["shared text", "shared text"]);
    const [span] = await h.waitForSpans(1);
    expect(span!.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(3);
  });

  it("instruments openai 6.x the same way", async () => {
    h.mock.enqueue({ text: "Paris.", usage: { input: 1200, cacheRead: 1024, output: 300 } });
    await h.openaiV6.chat.completions.create({ model: "gpt-4o", messages });
    const [span] = await h.waitForSpans(1);
    expect(span!.attributes[C.ATTR_GEN_AI_USAGE_COST_AMOUNT]).toBe(0.00472);
    expect(span!.attributes[C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]).toBe(1024);
  });
});
