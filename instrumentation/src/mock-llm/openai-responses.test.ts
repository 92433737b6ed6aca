import OpenAI from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import OpenAIv6 from "openai-v6";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type MockLlmServer, startMockLlmServer } from "./server.js";

const SDKS = [
  { sdk: "openai 7", OpenAI },
  { sdk: "openai 6 (openai-v6)", OpenAI: OpenAIv6 as unknown as typeof OpenAI },
];

const scriptedUsage = { input: 12_000, cacheRead: 8_000, output: 700, reasoning: 500 };
const expectedUsage = {
  input_tokens: 12_000, // whole prompt, cached included
  input_tokens_details: { cached_tokens: 8_000, cache_write_tokens: 0 },
  output_tokens: 700, // reasoning included
  output_tokens_details: { reasoning_tokens: 500 },
  total_tokens: 12_700,
};

describe.each(SDKS)("Responses through $sdk", ({ OpenAI }) => {
  let server: MockLlmServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startMockLlmServer();
    client = new OpenAI({ apiKey: "test-key", baseURL: server.openaiBaseUrl, maxRetries: 0 });
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it("returns a completed response with a message item and usage", async () => {
    server.enqueue({ text: "Paris.", usage: scriptedUsage });

    const response = await client.responses.create({ model: "o4-mini", input: "Capital of France?" });

    expect(response).toEqual({
      id: expect.stringMatching(/^resp_/),
      object: "response",
      created_at: expect.any(Number),
      completed_at: expect.any(Number),
      status: "completed",
      model: "o4-mini",
      output: [
        {
          id: expect.stringMatching(/^msg_/),
          type: "message",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "Paris.", annotations: [], logprobs: [] }],
        },
      ],
      output_text: "Paris.", // not on the wire: the SDK derives it from `output`
      usage: expectedUsage,
      // Request settings echoed back, with the API's defaults where the request set none.
      instructions: null,
      max_output_tokens: null,
      metadata: {},
      parallel_tool_calls: true,
      previous_response_id: null,
      temperature: 1,
      tool_choice: "auto",
      tools: [],
      top_p: 1,
      access_programs: null,
      background: false,
      error: null,
      incomplete_details: null,
      reasoning: { effort: null, summary: null },
      service_tier: "default",
      text: { format: { type: "text" }, verbosity: "medium" },
      truncation: "disabled",
    });
  });

  it("returns function_call items for tool calls", async () => {
    server.enqueue({ toolCalls: [{ name: "lookup", arguments: { q: "Paris" }, id: "call_1" }] });

    const response = await client.responses.create({ model: "gpt-4.1", input: "Look up Paris" });

    expect(response.output).toEqual([
      {
        id: expect.stringMatching(/^fc_/),
        type: "function_call",
        call_id: "call_1",
        name: "lookup",
        arguments: '{"q":"Paris"}',
        status: "completed",
      },
    ]);
  });

  it("streams typed events and ends with response.completed carrying usage", async () => {
    server.enqueue({ text: "Paris.", chunks: 2, usage: scriptedUsage });

    const stream = await client.responses.create({ model: "o4-mini", input: "Capital?", stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    expect(events.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : []));
    expect(deltas).toEqual(["Par", "is."]);
    const completed = events.at(-1);
    expect(completed?.type === "response.completed" && completed.response.usage).toEqual(expectedUsage);
  });

  it("streams function-call arguments in pieces", async () => {
    server.enqueue({ toolCalls: [{ name: "lookup", arguments: { q: "Paris", limit: 3 } }] });

    const stream = await client.responses.create({ model: "gpt-4.1", input: "Look up", stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    const pieces = events.flatMap((e) =>
      e.type === "response.function_call_arguments.delta" ? [e.delta] : [],
    );
    expect(pieces).toHaveLength(4);
    expect(JSON.parse(pieces.join(""))).toEqual({ q: "Paris", limit: 3 });
    const done = events.find((e) => e.type === "response.function_call_arguments.done");
    expect(done?.type === "response.function_call_arguments.done" && done.arguments).toBe(pieces.join(""));
  });

  it("puts scripted thinking first, as a reasoning item's summary, streamed or not", async () => {
    const thinking = "Paris is the capital.";
    server.enqueue({ text: "Paris.", thinking });
    const response = await client.responses.create({ model: "o4-mini", input: "Capital?" });
    server.enqueue({ text: "Paris.", thinking, chunks: 2 });
    const final = await client.responses.stream({ model: "o4-mini", input: "Capital?" }).finalResponse();
    const expectedReasoning = {
      id: expect.stringMatching(/^rs_/),
      type: "reasoning",
      summary: [{ type: "summary_text", text: thinking }],
    };
    expect({
      created: response.output[0],
      streamed: final.output[0],
      types: final.output.map((item) => item.type),
      text: final.output_text,
    }).toEqual({
      created: expectedReasoning,
      streamed: expectedReasoning,
      types: ["reasoning", "message"],
      text: "Paris.",
    });
  });

  it("satisfies the SDK's strict ResponseStream accumulator", async () => {
    server.enqueue({
      text: "Looking it up.",
      toolCalls: [{ name: "lookup", arguments: { q: "Paris" } }],
      usage: scriptedUsage,
    });

    const final = await client.responses.stream({ model: "o4-mini", input: "Capital?" }).finalResponse();

    expect(final.output_text).toBe("Looking it up.");
    expect(final.output.map((item) => item.type)).toEqual(["message", "function_call"]);
    expect(final.usage).toEqual(expectedUsage);
  });

  it("ends a stream with response.failed carrying the error and usage when streamError is scripted", async () => {
    server.enqueue({
      text: "Paris.",
      usage: scriptedUsage,
      streamError: { afterChunks: 3, type: "rate_limit_exceeded", message: "Slow down." },
    });

    const stream = await client.responses.create({ model: "o4-mini", input: "Capital?", stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    expect(events.map((e) => [e.type, e.sequence_number])).toEqual([
      ["response.created", 0],
      ["response.in_progress", 1],
      ["response.output_item.added", 2],
      ["response.failed", 3],
    ]);
    const failed = events.at(-1);
    expect(
      failed?.type === "response.failed" && {
        status: failed.response.status,
        error: failed.response.error,
        usage: failed.response.usage,
      },
    ).toEqual({
      status: "failed",
      error: { code: "rate_limit_exceeded", message: "Slow down." },
      usage: expectedUsage,
    });
  });

  it("raises RateLimitError for a scripted 429", async () => {
    server.enqueue({ error: { status: 429 } });

    const error = await client.responses.create({ model: "o4-mini", input: "x" }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
  });
});
