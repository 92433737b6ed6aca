import Anthropic from "@anthropic-ai/sdk";
import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages/messages";
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import OpenAIv6 from "openai-v6";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MockReplyError } from "./reply.js";
import { type MockLlmServer, startMockLlmServer } from "./server.js";

const SDKS = [
  { sdk: "openai 7", OpenAI },
  { sdk: "openai 6 (openai-v6)", OpenAI: OpenAIv6 as unknown as typeof OpenAI },
];
const messages = [{ role: "user" as const, content: "Say hello." }];

let server: MockLlmServer;
beforeAll(async () => {
  server = await startMockLlmServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

describe.each(SDKS)("audio and web searches through $sdk", ({ OpenAI }) => {
  let client: OpenAI;
  beforeAll(() => {
    client = new OpenAI({ apiKey: "test-key", baseURL: server.openaiBaseUrl, maxRetries: 0 });
  });

  it("reports Chat Completions audio tokens inside prompt and completion tokens, streamed or not", async () => {
    // 1000 prompt tokens of which 800 audio; 500 completion tokens of which 400 audio.
    const usage = { input: 1_000, audioInput: 800, output: 500, audioOutput: 400 };
    server.enqueue({ text: "Hello.", usage });
    server.enqueue({ text: "Hello.", usage });

    const completion = await client.chat.completions.create({ model: "gpt-audio", messages });
    const stream = await client.chat.completions.create({
      model: "gpt-audio",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const expected = {
      prompt_tokens: 1_000,
      completion_tokens: 500,
      total_tokens: 1_500,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 800 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 400,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    };
    expect({ body: completion.usage, streamed: chunks.at(-1)?.usage }).toEqual({
      body: expected,
      streamed: expected,
    });
  });

  it("lists one web_search_call item per search ahead of the answer, streamed or not", async () => {
    server.enqueue({ text: "Sunny.", usage: { input: 50, output: 5, webSearches: 2 } });
    server.enqueue({ text: "Sunny.", usage: { input: 50, output: 5, webSearches: 2 } });

    const response = await client.responses.create({ model: "gpt-4o", input: "Weather in Paris?" });
    const stream = await client.responses.create({ model: "gpt-4o", input: "Weather?", stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const completed = events.at(-1);

    const search = {
      id: expect.stringMatching(/^ws_/),
      type: "web_search_call",
      status: "completed",
      action: { type: "search", query: expect.any(String), queries: [expect.any(String)] },
    };
    const items = (r: { output: { type: string }[] }) => r.output;
    expect({
      body: items(response),
      completed: completed?.type === "response.completed" && items(completed.response),
      searchEvents: events.filter((e) => e.type.startsWith("response.web_search_call.")).map((e) => e.type),
      text: response.output_text,
    }).toEqual({
      body: [search, search, expect.objectContaining({ type: "message" })],
      completed: [search, search, expect.objectContaining({ type: "message" })],
      searchEvents: [
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
      ],
      text: "Sunny.",
    });
    // The SDK's own stream helper accepts the search items in the event order the mock sends.
    server.enqueue({ text: "Sunny.", usage: { input: 50, output: 5, webSearches: 1 } });
    const final = await client.responses.stream({ model: "gpt-4o", input: "Weather?" }).finalResponse();
    expect(final.output.map((item) => item.type)).toEqual(["web_search_call", "message"]);
  });
});

describe("web searches through @anthropic-ai/sdk", () => {
  let client: Anthropic;
  beforeAll(() => {
    client = new Anthropic({ apiKey: "test-key", baseURL: server.anthropicBaseUrl, maxRetries: 0 });
  });
  const params = { model: "claude-sonnet-4-5", max_tokens: 1024, messages };

  it("reports searches in server_tool_use, in the body and in message_delta's cumulative usage", async () => {
    server.enqueue({ text: "Sunny.", usage: { input: 3, output: 1_000, webSearches: 5 } });
    server.enqueue({ text: "Sunny.", usage: { input: 3, output: 1_000, webSearches: 5 } });

    const message = await client.messages.create(params);
    const stream = await client.messages.create({ ...params, stream: true });
    const events: RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const start = events.find((e) => e.type === "message_start");
    const delta = events.find((e) => e.type === "message_delta");

    const used = { web_search_requests: 5, web_fetch_requests: 0 };
    expect({
      body: message.usage.server_tool_use,
      // The searches run after the stream starts: message_start has none yet.
      start: start?.type === "message_start" && start.message.usage.server_tool_use,
      delta: delta?.type === "message_delta" && delta.usage.server_tool_use,
    }).toEqual({ body: used, start: null, delta: used });
  });
});

describe("scripting audio", () => {
  it("refuses more audio than the input or output it is part of", () => {
    expect(() => server.enqueue({ usage: { input: 100, audioInput: 101 } })).toThrow(
      new MockReplyError(
        "mock-llm: invalid reply: usage.audioInput: audioInput must not exceed input (input includes audio)",
      ),
    );
    expect(() => server.enqueue({ usage: { output: 10, audioOutput: 11 } })).toThrow(
      new MockReplyError(
        "mock-llm: invalid reply: usage.audioOutput: audioOutput must not exceed output (output includes audio)",
      ),
    );
  });
});
