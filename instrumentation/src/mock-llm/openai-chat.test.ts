import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import OpenAIv6 from "openai-v6";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TEXT } from "./reply-plan.js";
import { type MockLlmServer, startMockLlmServer } from "./server.js";

// Both majors run the same assertions: the mock must satisfy what each one parses.
const SDKS = [
  { sdk: "openai 7", OpenAI },
  // The 6.x types differ in detail only; the cast lets one test body serve both.
  { sdk: "openai 6 (openai-v6)", OpenAI: OpenAIv6 as unknown as typeof OpenAI },
];

const messages = [
  { role: "system" as const, content: "You are terse." },
  { role: "user" as const, content: "What is the capital of France?" },
];

const weatherArgs = { city: "Paris", unit: "celsius", days: [1, 2, 3] };

describe.each(SDKS)("Chat Completions through $sdk", ({ OpenAI }) => {
  let server: MockLlmServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startMockLlmServer();
    client = new OpenAI({ apiKey: "test-key", baseURL: server.openaiBaseUrl, maxRetries: 0 });
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it("returns the scripted text and the whole usage object", async () => {
    server.enqueue({
      text: "Paris.",
      usage: { input: 37_000, cacheRead: 30_000, output: 120, reasoning: 100 },
    });

    const completion = await client.chat.completions.create({ model: "gpt-4o-2024-08-06", messages });

    expect(completion).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "gpt-4o-2024-08-06",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Paris.", refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 37_000, // the whole prompt, cached tokens included
        completion_tokens: 120, // reasoning included
        total_tokens: 37_120,
        prompt_tokens_details: { cached_tokens: 30_000, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 100,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      service_tier: "default",
      system_fingerprint: "fp_mock",
    });
  });

  it("estimates usage from the request when none is scripted", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "x".repeat(400) }],
    });

    expect(completion.choices[0]!.message.content).toBe(DEFAULT_TEXT);
    expect(completion.usage).toEqual({
      prompt_tokens: 100, // 400 characters / 4
      completion_tokens: Math.ceil(DEFAULT_TEXT.length / 4),
      total_tokens: 100 + Math.ceil(DEFAULT_TEXT.length / 4),
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
  });

  it("streams without usage anywhere unless include_usage is asked for", async () => {
    server.enqueue({ text: "Paris is the capital.", chunks: 3 });

    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([
      { role: "assistant", content: "", refusal: null },
      // 21 characters in 3 pieces of 7
      { content: "Paris i" },
      { content: "s the c" },
      { content: "apital." },
      {},
    ]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason)).toEqual([null, null, null, null, "stop"]);
    expect(chunks.filter((c) => "usage" in c)).toEqual([]);
  });

  it("streams a final usage chunk with empty choices when include_usage is set", async () => {
    server.enqueue({ text: "Paris.", usage: { input: 2_000, cacheRead: 1_024, output: 9 } });

    const stream = await client.chat.completions.create({
      model: "gpt-4o",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const last = chunks.at(-1)!;
    expect(last).toEqual({
      id: chunks[0]!.id,
      object: "chat.completion.chunk",
      created: expect.any(Number),
      model: "gpt-4o",
      service_tier: "default",
      system_fingerprint: "fp_mock",
      choices: [],
      usage: {
        prompt_tokens: 2_000,
        completion_tokens: 9,
        total_tokens: 2_009,
        prompt_tokens_details: { cached_tokens: 1_024, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
    });
    // Every earlier chunk carries `usage: null`, as the real API does.
    expect(chunks.slice(0, -1).map((c) => c.usage)).toEqual(chunks.slice(0, -1).map(() => null));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Paris.");
  });

  it("returns tool calls without streaming", async () => {
    server.enqueue({
      toolCalls: [
        { name: "get_weather", arguments: weatherArgs },
        { name: "get_time", arguments: '{"tz":"Europe/Paris"}', id: "call_fixed" },
      ],
    });

    const completion = await client.chat.completions.create({ model: "gpt-4o", messages });

    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        annotations: [],
        tool_calls: [
          {
            id: expect.stringMatching(/^call_/),
            type: "function",
            function: { name: "get_weather", arguments: JSON.stringify(weatherArgs) },
          },
          {
            id: "call_fixed",
            type: "function",
            function: { name: "get_time", arguments: '{"tz":"Europe/Paris"}' },
          },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    });
  });

  it("streams tool calls with index, id and name first and arguments split across chunks", async () => {
    server.enqueue({
      text: "Checking.",
      toolCalls: [
        { name: "get_weather", arguments: weatherArgs },
        { name: "get_time", arguments: { tz: "Europe/Paris" }, id: "call_fixed" },
      ],
    });

    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    const calls: { id?: string; name?: string; arguments: string; pieces: number }[] = [];
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0]!;
      text += choice.delta.content ?? "";
      finish = choice.finish_reason ?? finish;
      for (const delta of choice.delta.tool_calls ?? []) {
        calls[delta.index] ??= { arguments: "", pieces: 0 };
        const call = calls[delta.index]!;
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = delta.function.name;
        if (delta.function?.arguments) {
          call.arguments += delta.function.arguments;
          call.pieces++;
        }
      }
    }

    expect(text).toBe("Checking.");
    expect(finish).toBe("tool_calls");
    expect(calls.map((c) => ({ ...c, arguments: JSON.parse(c.arguments) }))).toEqual([
      { id: expect.stringMatching(/^call_/), name: "get_weather", arguments: weatherArgs, pieces: 4 },
      { id: "call_fixed", name: "get_time", arguments: { tz: "Europe/Paris" }, pieces: 4 },
    ]);
  });

  it("assembles with the SDK's own stream helper", async () => {
    server.enqueue({ text: "Sure.", toolCalls: [{ name: "get_weather", arguments: weatherArgs }] });

    const final = await client.chat.completions
      .stream({ model: "gpt-4o", messages, stream_options: { include_usage: true } })
      .finalChatCompletion();

    expect(final.choices[0]!.message.content).toBe("Sure.");
    expect(final.choices[0]!.message.tool_calls?.map((c) => c.type === "function" && c.function)).toEqual([
      expect.objectContaining({ name: "get_weather", arguments: JSON.stringify(weatherArgs) }),
    ]);
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");
    expect(final.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it("answers each of n choices with the scripted reply, streamed in turns or not", async () => {
    const toolCalls = [{ name: "get_weather", arguments: weatherArgs }];
    server.enqueue({ toolCalls, chunks: 2 });
    server.enqueue({ toolCalls, chunks: 2 });

    const completion = await client.chat.completions.create({ model: "gpt-4o", messages, n: 2 });
    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, n: 2, stream: true });
    const order: number[] = [];
    const args = ["", ""];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        order.push(choice.index);
        for (const delta of choice.delta.tool_calls ?? [])
          args[choice.index] += delta.function?.arguments ?? "";
      }
    }

    expect(completion.choices.map((c) => [c.index, c.message.tool_calls?.length, c.finish_reason])).toEqual([
      [0, 1, "tool_calls"],
      [1, 1, "tool_calls"],
    ]);
    // role, tool-call start, two argument pieces and the finish, each choice in turn
    expect(order).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(args.map((a) => JSON.parse(a))).toEqual([weatherArgs, weatherArgs]);
  });

  it("starts a stream with Azure's prompt-filter chunk when azureFilterChunk is set", async () => {
    server.enqueue({ text: "Paris.", chunks: 1, azureFilterChunk: true });

    const stream = await client.chat.completions.create({ model: "my-deployment", messages, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.map((c) => [c.id === "" ? "" : "chatcmpl", c.model, c.choices.length])).toEqual([
      ["", "", 0],
      ["chatcmpl", "my-deployment", 1],
      ["chatcmpl", "my-deployment", 1],
      ["chatcmpl", "my-deployment", 1],
    ]);
    expect(chunks[0]).toMatchObject({ object: "", prompt_filter_results: [{ prompt_index: 0 }] });
  });

  it("ends a stream with an error chunk after streamError.afterChunks chunks, so the SDK throws", async () => {
    server.enqueue({ text: "Paris is the capital.", streamError: { afterChunks: 2, message: "boom" } });

    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((e: unknown) => e);

    expect(seen).toEqual(["", "Paris"]);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect({ message: (error as Error).message, type: (error as { type?: string }).type }).toEqual({
      message: "boom",
      type: "server_error",
    });
  });

  it("raises the SDK's RateLimitError for a scripted 429", async () => {
    server.enqueue({ error: { status: 429, message: "Rate limit reached for gpt-4o", retryAfter: 7 } });

    const error = await client.chat.completions
      .create({ model: "gpt-4o", messages })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect({
      status: rateLimit.status,
      type: rateLimit.type,
      code: rateLimit.code,
      retryAfter: rateLimit.headers?.get("retry-after"),
      message: rateLimit.message,
    }).toEqual({
      status: 429,
      type: "requests",
      code: "rate_limit_exceeded",
      retryAfter: "7",
      message: "429 Rate limit reached for gpt-4o",
    });
  });

  it("raises InternalServerError for a scripted 500 on a streaming request", async () => {
    server.enqueue({ error: { status: 500 } });

    const error = await client.chat.completions
      .create({ model: "gpt-4o", messages, stream: true })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
  });
});
