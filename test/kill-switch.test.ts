import { DEFAULT_PROJECT, type Decision } from "@burnrate/core";
import { instrument, onDecision, onKill, RunawayLoopError, withAttribution } from "@burnrate/instrumentation";
import { type MockLlmServer, startMockLlmServer } from "@burnrate/instrumentation/mock-llm";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";

let collector: TestCollector;
let mock: MockLlmServer;
let client: OpenAI;

beforeAll(async () => {
  collector = await startTestCollector();
  mock = await startMockLlmServer();
  // The instrumentation reads these when it first runs, i.e. at the first LLM call below.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
  process.env.OTEL_SERVICE_NAME = "kill-switch-test";
  instrument({ openai: OpenAI });
  client = new OpenAI({ apiKey: "k", baseURL: mock.openaiBaseUrl, maxRetries: 0 });
  mock.setDefault({ text: "working on it", usage: { input: 100, output: 10 } });
});
afterAll(async () => {
  await mock.close();
  await collector.stop();
});

function killDecision(id: string, scope: Decision["scope"]): Decision {
  const now = Date.now();
  return {
    decision_id: id,
    project_id: DEFAULT_PROJECT,
    action: "kill",
    scope,
    detector: "D3.ping_pong",
    reason: "agents a and b alternated 6 rounds with the same messages",
    evidence: { rounds: 6, minRounds: 6 },
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + 60_000).toISOString(),
  };
}

const ask = () =>
  client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "next step" }],
  });

describe("the kill switch", () => {
  it("subscribes on the first call, then a kill makes the next call in scope throw before it is sent", async () => {
    await withAttribution({ session: "s-kill" }, ask);
    await eventually(
      async () => collector.collector.decisions.subscriberCount,
      (n) => n === 1,
    );
    const killed: Decision[] = [];
    const seen: string[] = [];
    const stopKill = onKill((d) => killed.push(d));
    const stopSeen = onDecision((d) => seen.push(d.action));
    const decision = killDecision("dec_test_1", { session_id: "s-kill" });
    collector.collector.decisions.publish(decision);
    await eventually(
      async () => killed.length,
      (n) => n === 1,
    );
    const before = mock.requestCount("openai.chat");
    const error = await withAttribution({ session: "s-kill" }, ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunawayLoopError);
    expect((error as RunawayLoopError).decision).toEqual(decision);
    expect((error as Error).message).toBe(
      "agents a and b alternated 6 rounds with the same messages; the collector stopped this scope (decision dec_test_1); see GET /v1/incidents/dec_test_1",
    );
    expect(mock.requestCount("openai.chat")).toBe(before);
    // Other sessions carry on.
    await withAttribution({ session: "s-other" }, ask);
    expect(mock.requestCount("openai.chat")).toBe(before + 1);
    expect({ killed, seen }).toEqual({ killed: [decision], seen: ["kill"] });
    stopKill();
    stopSeen();
  });

  it("aborts a stream in progress in the killed scope", async () => {
    mock.enqueue({ text: "a very long answer that streams for a while", chunks: 20, chunkDelayMs: 30 });
    const stream = await withAttribution({ session: "s-stream" }, () =>
      client.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "go" }],
        stream: true,
      }),
    );
    let chunks = 0;
    for await (const _ of stream) {
      chunks++;
      if (chunks === 2)
        collector.collector.decisions.publish(killDecision("dec_test_2", { session_id: "s-stream" }));
    }
    expect(chunks).toBeLessThan(15);
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it("stores every decision as an incident", async () => {
    const rows = await eventually(
      () =>
        collector.db.query<{ id: string; action: string; detector: string; session_id: string }>({
          query: "SELECT id, action, detector, session_id FROM incidents FINAL ORDER BY id",
          params: {},
        }),
      (r) => r.length === 2,
    );
    expect(rows).toEqual([
      { id: "dec_test_1", action: "kill", detector: "D3.ping_pong", session_id: "s-kill" },
      { id: "dec_test_2", action: "kill", detector: "D3.ping_pong", session_id: "s-stream" },
    ]);
  });
});
