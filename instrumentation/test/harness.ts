import Anthropic from "@anthropic-ai/sdk";
import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import OpenAI from "openai";
import OpenAIv6 from "openai-v6";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { AttributionSpanProcessor } from "../src/attribution-processor.js";
import { instrument } from "../src/instrument.js";
import { type MockLlmServer, startMockLlmServer } from "../src/mock-llm/index.js";

/**
 * A test harness: the real SDKs, instrumented, talking to the mock LLM server on loopback,
 * with spans collected in memory by a real tracer provider (which Burnrate reuses).
 */
export interface Harness {
  mock: MockLlmServer;
  exporter: InMemorySpanExporter;
  openai: OpenAI;
  openaiV6: OpenAIv6;
  anthropic: Anthropic;
  spans(): ReadableSpan[];
  /** Waits until `n` spans have ended (streams end theirs asynchronously). */
  waitForSpans(n: number): Promise<ReadableSpan[]>;
  close(): Promise<void>;
}

let provider: NodeTracerProvider | undefined;
const exporter = new InMemorySpanExporter();

export async function startHarness(): Promise<Harness> {
  if (!provider) {
    provider = new NodeTracerProvider({
      spanProcessors: [new AttributionSpanProcessor(), new SimpleSpanProcessor(exporter)],
    });
    provider.register();
    instrument({ openai: OpenAI, anthropic: Anthropic });
    instrument({ openai: OpenAIv6 });
  }
  exporter.reset();
  const mock = await startMockLlmServer();
  const common = { apiKey: "test-key", maxRetries: 0 };
  return {
    mock,
    exporter,
    openai: new OpenAI({ ...common, baseURL: mock.openaiBaseUrl }),
    openaiV6: new OpenAIv6({ ...common, baseURL: mock.openaiBaseUrl }),
    anthropic: new Anthropic({ ...common, baseURL: mock.anthropicBaseUrl }),
    spans: () => exporter.getFinishedSpans(),
    async waitForSpans(n) {
      const deadline = Date.now() + 5_000;
      while (exporter.getFinishedSpans().length < n) {
        if (Date.now() > deadline)
          throw new Error(`expected ${n} spans, have ${exporter.getFinishedSpans().length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return exporter.getFinishedSpans();
    },
    async close() {
      await mock.close();
    },
  };
}

/**
 * The harness for one test file: started before its tests, its spans and mock requests
 * forgotten before each test, closed after them all. The returned object is filled in once
 * the harness has started.
 */
export function useHarness(): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    Object.assign(h, await startHarness());
  });
  beforeEach(() => {
    h.exporter.reset();
    h.mock.reset();
  });
  afterAll(async () => {
    await h.close();
  });
  return h;
}

/** A tracer for parent spans in tests. */
export const testTracer = () => trace.getTracer("burnrate-tests");
