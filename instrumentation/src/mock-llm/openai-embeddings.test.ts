import OpenAI from "openai";
import OpenAIv6 from "openai-v6";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DIMENSIONS } from "./openai-embeddings.js";
import { type MockLlmServer, startMockLlmServer } from "./server.js";

const SDKS = [
  { sdk: "openai 7", OpenAI },
  { sdk: "openai 6 (openai-v6)", OpenAI: OpenAIv6 as unknown as typeof OpenAI },
];

describe.each(SDKS)("Embeddings through $sdk", ({ OpenAI }) => {
  let server: MockLlmServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startMockLlmServer();
    client = new OpenAI({ apiKey: "test-key", baseURL: server.openaiBaseUrl, maxRetries: 0 });
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it("answers the SDK's default base64 request with vectors it decodes to floats", async () => {
    const result = await client.embeddings.create({ model: "text-embedding-3-small", input: "x".repeat(40) });

    // The SDK asks for base64 on the wire and hands the caller numbers.
    expect(server.requests[0]?.body).toEqual({
      model: "text-embedding-3-small",
      input: "x".repeat(40),
      encoding_format: "base64",
    });
    expect(result.data).toHaveLength(1);
    const vector = result.data[0]!.embedding;
    expect(vector).toHaveLength(DEFAULT_DIMENSIONS);
    expect(vector.every((v) => typeof v === "number" && Number.isFinite(v))).toBe(true);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect({ ...result, data: undefined }).toEqual({
      object: "list",
      model: "text-embedding-3-small",
      data: undefined,
      usage: { prompt_tokens: 10, total_tokens: 10 }, // 40 characters / 4
    });
  });

  it("sends floats when asked, the same vectors as base64, honouring dimensions", async () => {
    const input = ["alpha", "beta", "alpha"];
    const floats = await client.embeddings.create({
      model: "text-embedding-3-large",
      input,
      dimensions: 8,
      encoding_format: "float",
    });
    const decoded = await client.embeddings.create({ model: "text-embedding-3-large", input, dimensions: 8 });

    expect(floats.data.map((d) => [d.index, d.embedding.length])).toEqual([
      [0, 8],
      [1, 8],
      [2, 8],
    ]);
    expect(decoded.data).toEqual(floats.data);
    // Deterministic: equal inputs embed equally, different ones differ.
    expect(floats.data[2]!.embedding).toEqual(floats.data[0]!.embedding);
    expect(floats.data[1]!.embedding).not.toEqual(floats.data[0]!.embedding);
  });

  it("reports scripted input usage", async () => {
    server.enqueue({ usage: { input: 4_096 } });

    const result = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });

    expect(result.usage).toEqual({ prompt_tokens: 4_096, total_tokens: 4_096 });
  });
});
