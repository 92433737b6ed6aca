import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type MockLlmServer, startMockLlmServer } from "./server.js";
import { formatSseEvent } from "./sse.js";

// The SDK tests prove the SDKs parse the streams; these pin the raw framing they rely on.

describe("formatSseEvent", () => {
  it("frames data alone or with an event name, ending in a blank line", () => {
    expect(formatSseEvent({ data: "[DONE]" })).toBe("data: [DONE]\n\n");
    expect(formatSseEvent({ event: "ping", data: { type: "ping" } })).toBe(
      'event: ping\ndata: {"type":"ping"}\n\n',
    );
  });
});

describe("raw streams on the wire", () => {
  let server: MockLlmServer;

  beforeAll(async () => {
    server = await startMockLlmServer();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) });

  it("sends Chat Completions chunks as bare data lines ending in [DONE]", async () => {
    server.enqueue({ text: "ok", chunks: 1 });

    const response = await post("/v1/chat/completions", { model: "m", messages: [], stream: true });
    const text = await response.text();

    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    const lines = text.split("\n\n").filter(Boolean);
    expect(lines.every((line) => line.startsWith("data: "))).toBe(true);
    expect(lines.map((line) => line.slice(6, 20))).toEqual([
      '{"id":"chatcmp',
      '{"id":"chatcmp',
      '{"id":"chatcmp',
      "[DONE]",
    ]);
  });

  it("sends Anthropic events with event names, a ping after message_start, and no [DONE]", async () => {
    server.enqueue({ text: "ok", chunks: 1 });

    const response = await post("/v1/messages", { model: "m", max_tokens: 5, messages: [], stream: true });
    const text = await response.text();

    expect(response.headers.get("request-id")).toMatch(/^req_/);
    const names = text
      .split("\n\n")
      .filter(Boolean)
      .map((block) => block.split("\n")[0]);
    expect(names).toEqual([
      "event: message_start",
      "event: ping",
      "event: content_block_start",
      "event: content_block_delta",
      "event: content_block_stop",
      "event: message_delta",
      "event: message_stop",
    ]);
  });

  it("answers a streaming embeddings request with plain JSON, as embeddings cannot stream", async () => {
    const response = await post("/v1/embeddings", { model: "m", input: "hi", dimensions: 2, stream: true });

    expect(response.headers.get("content-type")).toBe("application/json");
    expect(((await response.json()) as { data: unknown[] }).data).toHaveLength(1);
  });
});
