import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MockReplyError } from "./reply.js";
import { MOCK_REPLY_HEADER, type MockLlmServer, startMockLlmServer } from "./server.js";

const messages = [{ role: "user" as const, content: "Hi" }];
const anthropicParams = { model: "claude-sonnet-5", max_tokens: 64, messages };

/** Scripts one request through the header, as a test that cannot reach the server object would. */
const scripted = (reply: unknown) => ({ headers: { [MOCK_REPLY_HEADER]: JSON.stringify(reply) } });

describe("mock LLM server", () => {
  let server: MockLlmServer;
  let openai: OpenAI;
  let anthropic: Anthropic;

  beforeAll(async () => {
    server = await startMockLlmServer();
    openai = new OpenAI({ apiKey: "test-key", baseURL: server.openaiBaseUrl, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: "test-key", baseURL: server.anthropicBaseUrl, maxRetries: 0 });
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it("advertises base URLs on 127.0.0.1", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.openaiBaseUrl).toBe(`${server.url}/v1`);
    expect(server.anthropicBaseUrl).toBe(server.url);
  });

  it("counts and records requests per route", async () => {
    await openai.chat.completions.create({ model: "gpt-4o", messages });
    await openai.chat.completions.create({ model: "gpt-4o", messages });
    await openai.responses.create({ model: "gpt-4o", input: "Hi" });
    await openai.embeddings.create({ model: "text-embedding-3-small", input: "Hi" });
    await anthropic.messages.create(anthropicParams);

    expect({
      all: server.requestCount(),
      chat: server.requestCount("openai.chat"),
      responses: server.requestCount("openai.responses"),
      embeddings: server.requestCount("openai.embeddings"),
      messages: server.requestCount("anthropic.messages"),
    }).toEqual({ all: 5, chat: 2, responses: 1, embeddings: 1, messages: 1 });
    const last = server.requests.at(-1)!;
    expect({ route: last.route, body: last.body, at: typeof last.at }).toEqual({
      route: "anthropic.messages",
      body: anthropicParams,
      at: "number",
    });
    expect(last.headers["anthropic-version"]).toEqual(expect.any(String));
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(
      server.requests.map(() => "Bearer test-key"),
    );
  });

  it("counts every retry the SDK makes", async () => {
    const retrying = new OpenAI({ apiKey: "test-key", baseURL: server.openaiBaseUrl, maxRetries: 2 });
    // retry-after 0 makes the SDK retry at once instead of backing off for seconds.
    server.enqueue({ error: { status: 503, retryAfter: 0 } });
    server.enqueue({ error: { status: 429, retryAfter: 0 } });
    server.enqueue({ text: "third time lucky" });

    const completion = await retrying.chat.completions.create({ model: "gpt-4o", messages });

    expect(completion.choices[0]!.message.content).toBe("third time lucky");
    expect(server.requestCount("openai.chat")).toBe(3);
    expect(server.requests.map((r) => r.headers["x-stainless-retry-count"])).toEqual(["0", "1", "2"]);
  });

  it("scripts a request through the x-mock-llm header", async () => {
    const completion = await openai.chat.completions.create(
      { model: "gpt-4o", messages },
      scripted({ text: "from the header", model: "gpt-4o-2024-11-20", usage: { input: 50, output: 5 } }),
    );

    expect(completion.model).toBe("gpt-4o-2024-11-20");
    expect(completion.choices[0]!.message.content).toBe("from the header");
    expect([completion.usage?.prompt_tokens, completion.usage?.completion_tokens]).toEqual([50, 5]);
  });

  it("prefers a queued reply for the route, then the header, then the default", async () => {
    server.setDefault({ text: "default" });
    server.enqueue({ text: "queued for anthropic" }, "anthropic.messages");
    server.enqueue({ text: "queued for any route" });
    const chatText = async (reply?: unknown) =>
      (await openai.chat.completions.create({ model: "gpt-4o", messages }, reply ? scripted(reply) : {}))
        .choices[0]!.message.content;

    // The anthropic-only reply is skipped, not consumed, by a chat request.
    expect(await chatText({ text: "header" })).toBe("queued for any route");
    expect(await chatText({ text: "header" })).toBe("header");
    expect(await chatText()).toBe("default");
    const message = await anthropic.messages.create(anthropicParams);
    expect(message.content).toEqual([{ type: "text", text: "queued for anthropic", citations: null }]);
  });

  it("answers an invalid header script with a 400 naming the field", async () => {
    const error = await openai.chat.completions
      .create(
        { model: "gpt-4o", messages },
        scripted({ text: 1, toolCalls: [{ arguments: {} }], latency: 5 }),
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(
      /^400 mock-llm: invalid x-mock-llm header: .*text: .*toolCalls\.0\.name: .*Unrecognized key: "latency"/,
    );
    expect(server.requestCount("openai.chat")).toBe(1);
  });

  it("answers a header that is not JSON with a 400 in Anthropic's error shape", async () => {
    const error = await anthropic.messages
      .create(anthropicParams, { headers: { [MOCK_REPLY_HEADER]: "{text:" } })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toEqual({
      type: "error",
      error: {
        type: "invalid_request_error",
        message: "mock-llm: invalid x-mock-llm header: not JSON: {text:",
      },
      request_id: expect.stringMatching(/^req_/),
    });
  });

  it("rejects an invalid scripted reply where the test writes it", () => {
    expect(() => server.enqueue({ usage: { input: 100, cacheRead: 80, cacheWrite: 30 } })).toThrow(
      new MockReplyError(
        "mock-llm: invalid reply: usage.input: cacheRead + cacheWrite must not exceed input (input is the whole prompt, cache included)",
      ),
    );
    expect(() => server.setDefault({ error: { status: 200 } })).toThrow(MockReplyError);
  });

  it("refuses a one-hour part of the cache writes larger than the writes, enqueued or in the header", async () => {
    const usage = { input: 100, cacheWrite: 30, cacheWrite1h: 40 };
    const message =
      "usage.cacheWrite1h: cacheWrite1h must not exceed cacheWrite (cacheWrite is all cache writes, one-hour ones included)";
    expect(() => server.enqueue({ usage })).toThrow(
      new MockReplyError(`mock-llm: invalid reply: ${message}`),
    );
    expect(() => server.enqueue({ usage: { input: 100, cacheWrite1h: 1 } })).toThrow(
      new MockReplyError(`mock-llm: invalid reply: ${message}`),
    );
    const error = await anthropic.messages
      .create(anthropicParams, scripted({ usage }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: `mock-llm: invalid x-mock-llm header: ${message}` },
      request_id: expect.stringMatching(/^req_/),
    });
  });

  it("waits latencyMs before the first byte and chunkDelayMs between stream events", async () => {
    server.enqueue({ text: "slow", latencyMs: 120 });
    const started = performance.now();
    await openai.chat.completions.create({ model: "gpt-4o", messages });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);

    // 1 role + 2 text + 1 finish + [DONE] = 5 events, so 4 gaps of 40 ms.
    server.enqueue({ text: "slow", chunks: 2, chunkDelayMs: 40 });
    const streamStarted = performance.now();
    const stream = await openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    for await (const _ of stream);
    expect(performance.now() - streamStarted).toBeGreaterThanOrEqual(150);
  });

  it("lets a client time out during latencyMs, as the SDK's own timeout error", async () => {
    server.enqueue({ text: "too late", latencyMs: 5_000 });
    const impatient = new OpenAI({ apiKey: "k", baseURL: server.openaiBaseUrl, maxRetries: 0, timeout: 100 });

    const error = await impatient.chat.completions
      .create({ model: "gpt-4o", messages })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    // The server noticed the hang-up and answers the next request normally.
    const next = await openai.chat.completions.create(
      { model: "gpt-4o", messages },
      scripted({ text: "ok" }),
    );
    expect(next.choices[0]!.message.content).toBe("ok");
  });

  it("cuts a Chat Completions stream after cutAfterChunks events, so the SDK stream throws", async () => {
    server.enqueue({ text: "Paris is the capital.", cutAfterChunks: 3 });

    const received: ChatCompletionChunk.Choice.Delta[] = [];
    const stream = await openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]!.delta);
    })().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("terminated");
    expect(received).toEqual([
      { role: "assistant", content: "", refusal: null },
      { content: "Paris" },
      { content: " is t" },
    ]);
  });

  it("cuts a non-streaming body half-way with cutBody, so the SDK's body read fails", async () => {
    server.enqueue({ text: "Paris is the capital.", cutBody: true });

    const error = await openai.chat.completions
      .create({ model: "gpt-4o", messages })
      .catch((e: unknown) => e);

    // undici's own error for a body cut off, which the SDK passes on.
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("terminated");
    // The server answers the next request normally.
    const next = await openai.chat.completions.create(
      { model: "gpt-4o", messages },
      scripted({ text: "ok" }),
    );
    expect(next.choices[0]!.message.content).toBe("ok");
  });

  it("cuts an Anthropic stream so messages.stream() rejects", async () => {
    // message_start, ping, content_block_start, then the cut.
    server.enqueue({ text: "Paris is the capital.", cutAfterChunks: 3 });

    const stream = anthropic.messages.stream(anthropicParams);
    const events: string[] = [];
    stream.on("streamEvent", (event) => events.push(event.type));
    const error = await stream.finalMessage().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.AnthropicError);
    expect(events).toEqual(["message_start", "content_block_start"]);
  });

  it("answers unknown paths with a 404 that lists what it serves", async () => {
    const response = await fetch(`${server.url}/v1/completions`, { method: "POST", body: "{}" });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message:
          "mock-llm: nothing at POST /v1/completions; it serves POST /v1/chat/completions, POST /v1/responses, POST /v1/embeddings, POST /v1/messages, POST /v1/messages/count_tokens, GET /v1/responses/{id}, POST /v1/responses/{id}/cancel",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
    expect(server.requestCount()).toBe(0);
  });

  it("answers a body that is not a JSON object with a 400 and records the raw text", async () => {
    const response = await fetch(`${server.openaiBaseUrl}/chat/completions`, {
      method: "POST",
      body: "[1,2",
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: "mock-llm: the request body is not a JSON object",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
    expect(server.requests.map((r) => r.body)).toEqual(["[1,2"]);
  });

  it("forgets queued replies, the default and requests on reset", async () => {
    server.enqueue({ text: "queued" });
    server.setDefault({ text: "default" });
    await openai.chat.completions.create({ model: "gpt-4o", messages });

    server.reset();
    const completion = await openai.chat.completions.create({ model: "gpt-4o", messages });

    expect(completion.choices[0]!.message.content).not.toMatch(/queued|default/);
    expect(server.requestCount()).toBe(1);
  });
});

describe("startMockLlmServer", () => {
  it("listens on the requested port and closes idempotently, even with a stream open", async () => {
    const probe = await startMockLlmServer();
    const port = Number(new URL(probe.url).port);
    await probe.close();

    const server = await startMockLlmServer({ port });
    expect(server.url).toBe(`http://127.0.0.1:${port}`);
    const client = new OpenAI({ apiKey: "k", baseURL: server.openaiBaseUrl, maxRetries: 0 });
    server.enqueue({ text: "never finished", chunkDelayMs: 10_000 });
    const stream = await client.chat.completions.create({ model: "m", messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();

    await server.close();
    await server.close();
    await expect(iterator.next()).rejects.toThrow("terminated");
  });
});
