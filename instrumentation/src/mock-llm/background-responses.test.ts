import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockLlmServer, startMockLlmServer } from "./server.js";

let server: MockLlmServer;
let openai: OpenAI;
beforeAll(async () => {
  server = await startMockLlmServer();
  openai = new OpenAI({ apiKey: "test", baseURL: server.openaiBaseUrl, maxRetries: 0 });
});
afterAll(() => server.close());

describe("mock background responses", () => {
  it("answer the create call queued, then in_progress for the scripted polls, then finished with usage", async () => {
    server.enqueue({
      text: "The report.",
      usage: { input: 5_000, output: 20_000, reasoning: 18_000 },
      backgroundPolls: 2,
    });
    const created = await openai.responses.create({
      model: "o3-pro",
      input: "Research it.",
      background: true,
    });
    const polls = [];
    for (let i = 0; i < 3; i++) polls.push(await openai.responses.retrieve(created.id));
    expect({
      created: { status: created.status, usage: created.usage, output: created.output },
      polls: polls.map((p) => ({ id: p.id, status: p.status, usage: p.usage })),
      text: polls[2]!.output_text,
      routes: server.requests.map((r) => r.route),
    }).toEqual({
      created: { status: "queued", usage: null, output: [] },
      polls: [
        { id: created.id, status: "in_progress", usage: null },
        { id: created.id, status: "in_progress", usage: null },
        {
          id: created.id,
          status: "completed",
          usage: {
            input_tokens: 5_000,
            input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
            output_tokens: 20_000,
            output_tokens_details: { reasoning_tokens: 18_000 },
            total_tokens: 25_000,
          },
        },
      ],
      text: "The report.",
      routes: [
        "openai.responses",
        "openai.responses.retrieve",
        "openai.responses.retrieve",
        "openai.responses.retrieve",
      ],
    });
  });

  it("stream a retrieve as in_progress then the final event, and cancel with the usage run up", async () => {
    server.enqueue({ text: "Streamed report.", usage: { input: 100, output: 30 }, backgroundPolls: 5 });
    const streamed = await openai.responses.create({ model: "o4-mini", input: "Go.", background: true });
    const events: { type: string; status?: string; usage?: unknown }[] = [];
    for await (const event of await openai.responses.retrieve(streamed.id, { stream: true })) {
      const response = (event as { response?: { status?: string; usage?: unknown } }).response;
      events.push({ type: event.type, status: response?.status, usage: response?.usage ?? null });
    }
    server.enqueue({ text: "Never finished.", usage: { input: 50, output: 5 } });
    const started = await openai.responses.create({ model: "o4-mini", input: "Stop.", background: true });
    const cancelled = await openai.responses.cancel(started.id);
    expect({
      events,
      cancelled: { status: cancelled.status, output: cancelled.usage?.output_tokens },
    }).toEqual({
      events: [
        { type: "response.in_progress", status: "in_progress", usage: null },
        {
          type: "response.completed",
          status: "completed",
          usage: expect.objectContaining({ output_tokens: 30 }),
        },
      ],
      cancelled: { status: "cancelled", output: 5 },
    });
  });

  it("answers a retrieve of an id it never started with the API's 404", async () => {
    const error = await openai.responses.retrieve("resp_unknown").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).status).toBe(404);
  });
});
