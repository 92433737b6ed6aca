import Anthropic from "@anthropic-ai/sdk";
import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages/messages";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type MockLlmServer, startMockLlmServer } from "./server.js";

const messages = [{ role: "user" as const, content: "What is the capital of France?" }];
const params = { model: "claude-sonnet-5", max_tokens: 1024, messages };

// input is the whole prompt: 37000 = 2000 uncached + 30000 read + 5000 written.
const cachedUsage = { input: 37_000, cacheRead: 30_000, cacheWrite: 5_000, output: 250 };
const expectedUsage = {
  input_tokens: 2_000,
  cache_read_input_tokens: 30_000,
  cache_creation_input_tokens: 5_000,
  cache_creation: { ephemeral_5m_input_tokens: 5_000, ephemeral_1h_input_tokens: 0 },
  output_tokens: 250,
  output_tokens_details: null,
  server_tool_use: null,
  service_tier: "standard",
  inference_geo: null,
  speed: null,
};

describe("Anthropic Messages through @anthropic-ai/sdk", () => {
  let server: MockLlmServer;
  let client: Anthropic;

  beforeAll(async () => {
    server = await startMockLlmServer();
    client = new Anthropic({ apiKey: "test-key", baseURL: server.anthropicBaseUrl, maxRetries: 0 });
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it("returns a message whose input_tokens excludes cache reads and writes", async () => {
    server.enqueue({ text: "Paris.", usage: cachedUsage });

    const message = await client.messages.create(params);

    expect(message).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: "claude-sonnet-5",
      content: [{ type: "text", text: "Paris.", citations: null }],
      stop_reason: "end_turn",
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: expectedUsage,
    });
  });

  it("splits cache writes into five-minute and one-hour parts, in the body and in message_start", async () => {
    // 5000 written, 2000 of them to the one-hour cache.
    const oneHour = { ...cachedUsage, cacheWrite1h: 2_000 };
    server.enqueue({ text: "Paris.", usage: oneHour });
    server.enqueue({ text: "Paris.", usage: oneHour });

    const message = await client.messages.create(params);
    const stream = await client.messages.create({ ...params, stream: true });
    const events: RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const start = events[0]!;

    const split = {
      ...expectedUsage,
      cache_creation: { ephemeral_5m_input_tokens: 3_000, ephemeral_1h_input_tokens: 2_000 },
    };
    expect({
      body: message.usage,
      start: start.type === "message_start" && start.message.usage,
    }).toEqual({ body: split, start: { ...split, output_tokens: 1 } });
  });

  it("reports reasoning as thinking tokens inside output", async () => {
    server.enqueue({ text: "4", usage: { input: 10, output: 900, reasoning: 890 } });

    const message = await client.messages.create(params);

    expect(message.usage.output_tokens).toBe(900);
    expect(message.usage.output_tokens_details).toEqual({ thinking_tokens: 890 });
  });

  it("returns tool_use blocks with parsed input", async () => {
    server.enqueue({
      text: "Let me check.",
      toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }],
    });

    const message = await client.messages.create(params);

    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toEqual([
      { type: "text", text: "Let me check.", citations: null },
      {
        type: "tool_use",
        id: expect.stringMatching(/^toolu_/),
        name: "get_weather",
        input: { city: "Paris" },
        caller: { type: "direct" },
      },
    ]);
  });

  it("streams named events with `stream: true`, skipping ping", async () => {
    server.enqueue({ text: "Paris.", chunks: 2, usage: cachedUsage });

    const stream = await client.messages.create({ ...params, stream: true });
    const events: RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    expect(events.map((e) => e.type)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const start = events[0]!;
    expect(start.type === "message_start" && start.message.usage).toEqual({
      ...expectedUsage,
      output_tokens: 1,
    });
    expect(events.at(-2)).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null, stop_details: null, container: null },
      usage: {
        input_tokens: 2_000,
        cache_read_input_tokens: 30_000,
        cache_creation_input_tokens: 5_000,
        output_tokens: 250,
        output_tokens_details: null,
        server_tool_use: null,
      },
    });
    const text = events.flatMap((e) =>
      e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : [],
    );
    expect(text).toEqual(["Par", "is."]);
  });

  it("works with messages.stream() and finalMessage()", async () => {
    server.enqueue({ text: "Paris is the capital.", usage: cachedUsage });

    const stream = client.messages.stream(params);
    const deltas: string[] = [];
    stream.on("text", (delta) => deltas.push(delta));
    const final = await stream.finalMessage();

    expect(deltas).toHaveLength(4);
    expect(final).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: "claude-sonnet-5",
      content: [{ type: "text", text: "Paris is the capital.", citations: null }],
      stop_reason: "end_turn",
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: expectedUsage,
      parsed_output: null, // added by the SDK's stream helper, not sent by the mock
    });
  });

  it("streams tool_use input as input_json_delta pieces the helper assembles", async () => {
    const args = { city: "Paris", days: [1, 2], units: { temp: "C" } };
    server.enqueue({ toolCalls: [{ name: "get_weather", arguments: args, id: "toolu_fixed" }] });

    const stream = client.messages.stream(params);
    const pieces: string[] = [];
    stream.on("inputJson", (partial) => pieces.push(partial));
    const final = await stream.finalMessage();

    expect(pieces).toHaveLength(4);
    expect(pieces.join("")).toBe(JSON.stringify(args));
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content).toEqual([
      { type: "tool_use", id: "toolu_fixed", name: "get_weather", input: args, caller: { type: "direct" } },
    ]);
  });

  it("streams scripted thinking as a thinking block ahead of the text, and returns it unstreamed", async () => {
    server.enqueue({ thinking: "Paris is in France.", text: "Paris.", chunks: 2 });
    server.enqueue({ thinking: "Paris is in France.", text: "Paris." });

    const stream = await client.messages.create({ ...params, stream: true });
    const deltas: unknown[] = [];
    for await (const event of stream) if (event.type === "content_block_delta") deltas.push(event.delta);
    const message = await client.messages.create(params);

    expect(deltas).toEqual([
      { type: "thinking_delta", thinking: "Paris is " },
      { type: "thinking_delta", thinking: "in France." },
      { type: "signature_delta", signature: "mock-signature" },
      { type: "text_delta", text: "Par" },
      { type: "text_delta", text: "is." },
    ]);
    expect(message.content).toEqual([
      { type: "thinking", thinking: "Paris is in France.", signature: "mock-signature" },
      { type: "text", text: "Paris.", citations: null },
    ]);
  });

  it("ends a stream with an error event after streamError.afterChunks events, so the SDK throws", async () => {
    server.enqueue({ text: "Paris is the capital.", streamError: { afterChunks: 4 } });

    const stream = await client.messages.create({ ...params, stream: true });
    const types: string[] = [];
    const error = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((e: unknown) => e);

    // message_start, ping (skipped by the SDK), content_block_start, one delta; then the error.
    expect(types).toEqual(["message_start", "content_block_start", "content_block_delta"]);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
  });

  it("raises the SDK's RateLimitError for a scripted 429", async () => {
    server.enqueue({ error: { status: 429, retryAfter: 3 } });

    const error = await client.messages.create(params).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimit = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect({
      status: rateLimit.status,
      type: rateLimit.type,
      requestID: rateLimit.requestID,
      retryAfter: rateLimit.headers.get("retry-after"),
      body: rateLimit.error,
    }).toEqual({
      status: 429,
      type: "rate_limit_error",
      requestID: expect.stringMatching(/^req_/),
      retryAfter: "3",
      body: {
        type: "error",
        error: { type: "rate_limit_error", message: "mock-llm: scripted 429 error" },
        request_id: rateLimit.requestID,
      },
    });
  });

  it("raises OverloadedError for a scripted 529 from messages.stream()", async () => {
    server.enqueue({ error: { status: 529 } });

    const error = await client.messages
      .stream(params)
      .finalMessage()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe("overloaded_error");
  });
});
