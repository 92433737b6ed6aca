import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type MockLlmServer, startMockLlmServer } from "@burnrate/instrumentation/mock-llm";
import { context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

const apps = fileURLToPath(new URL("./apps/", import.meta.url));
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

interface Agent {
  child: ChildProcess;
  url: string;
  events: Record<string, unknown>[];
}

let collector: TestCollector;
let mock: MockLlmServer;
let good: WebhookReceiver;
let flaky: WebhookReceiver;
const agents: Agent[] = [];

function startAgent(name: string): Promise<Agent> {
  const child = spawn(
    process.execPath,
    ["--import", "@burnrate/instrumentation/register", "ping-pong-agent.mjs"],
    {
      cwd: apps,
      env: {
        ...process.env,
        AGENT_NAME: name,
        OTEL_SERVICE_NAME: `agent-${name}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        BURNRATE_EXPORT_DELAY_MS: "20",
        MOCK_OPENAI_URL: mock.openaiBaseUrl,
        // The local guard would stop this loop on its own; here the collector must.
        BURNRATE_LOOP_IDENTICAL_CALLS: "0",
        BURNRATE_LOOP_CYCLE_REPEATS: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const agent: Agent = { child, url: "", events: [] };
  let buffer = "";
  child.stdout!.on("data", (d: Buffer) => {
    buffer += d.toString();
    for (let i = buffer.indexOf("\n"); i !== -1; i = buffer.indexOf("\n")) {
      agent.events.push(JSON.parse(buffer.slice(0, i)) as Record<string, unknown>);
      buffer = buffer.slice(i + 1);
    }
  });
  agents.push(agent);
  return eventually(
    async () => agent.events.find((e) => e.event === "listening"),
    (e) => e !== undefined,
  ).then((e) => {
    agent.url = `http://127.0.0.1:${e!.port}`;
    return agent;
  });
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return res.json() as Promise<Record<string, unknown>>;
}

beforeAll(async () => {
  good = await startWebhookReceiver(SECRET);
  flaky = await startWebhookReceiver(SECRET, { failFirst: 2 });
  collector = await startTestCollector({
    config: {
      // Let the agent ping-pong detector (D3) be the one that fires.
      detection: {
        detectors: {
          thresholds: {
            cycleWarnAt: 0,
            cycleKillAt: 0,
            identicalWarnAt: 0,
            identicalBlockToolAt: 0,
            identicalKillAt: 0,
          },
        },
      },
      decisions: {
        webhooks: [
          { url: good.url, secret: SECRET },
          { url: flaky.url, secret: SECRET, retryDelaysMs: [0, 50, 100, 200, 400] },
        ],
      },
    },
  });
  mock = await startMockLlmServer();
  mock.setDefault({
    text: "Let me check with the other agent.",
    latencyMs: 60,
    usage: { input: 400, output: 20 },
  });
});

afterAll(async () => {
  for (const a of agents) a.child.kill("SIGTERM");
  await mock?.close();
  await good?.close();
  await flaky?.close();
  await collector?.stop();
});

describe("end-to-end kill of a two-agent ping-pong", () => {
  it("detects the loop in the collector and stops both agents before any further request", async () => {
    const [a, b] = await Promise.all([startAgent("a"), startAgent("b")]);
    await post(`${a!.url}/peer`, { url: b!.url });
    await post(`${b!.url}/peer`, { url: a!.url });

    const outcome = await post(`${a!.url}/message`, { text: "Can you look into ticket 4521?" });
    expect(outcome).toEqual({ stoppedBy: expect.stringMatching(/^[ab]$/), error: "RunawayLoopError" });

    // The collector decided: one kill for the trace, written as an incident.
    const [incident] = await eventually(
      () =>
        collector.db.query<{ id: string; detector: string; action: string; trace_id: string }>({
          query: "SELECT id, detector, action, trace_id FROM incidents FINAL WHERE action = 'kill'",
          params: {},
        }),
      (rows) => rows.length === 1,
    );
    expect(incident).toEqual({
      id: expect.stringMatching(/^dec_/),
      detector: "D3.ping_pong",
      action: "kill",
      trace_id: expect.any(String),
    });

    // The decision reached both processes over the stream.
    for (const agent of [a!, b!]) {
      const received = await eventually(
        async () => agent.events.filter((e) => e.event === "kill-received"),
        (e) => e.length > 0,
      );
      expect(received[0]).toEqual({
        agent: agent === a ? "a" : "b",
        event: "kill-received",
        detector: "D3.ping_pong",
        scope: { trace_id: incident!.trace_id },
      });
    }

    // The next LLM call in the killed trace throws in each process, and nothing more is sent.
    const sent = mock.requestCount("openai.chat");
    const ctx = trace.setSpanContext(context.active(), {
      traceId: incident!.trace_id,
      spanId: "00000000000000aa",
      traceFlags: 1,
    });
    const headers: Record<string, string> = {};
    new W3CTraceContextPropagator().inject(ctx, headers, {
      set: (carrier, key, value) => {
        (carrier as Record<string, string>)[key] = value;
      },
    });
    for (const agent of [a!, b!]) {
      expect(await post(`${agent.url}/probe`, { text: "one more?" }, headers)).toEqual({
        stoppedBy: agent === a ? "a" : "b",
        error: "RunawayLoopError",
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(mock.requestCount("openai.chat")).toBe(sent);
    void propagation;
  });

  it("delivers the kill as a signed webhook, once, even to a receiver that failed twice", async () => {
    const [incident] = await collector.db.query<{ id: string }>({
      query: "SELECT id FROM incidents FINAL WHERE action = 'kill'",
      params: {},
    });
    const kill = await eventually(
      async () => good.handled.get(incident!.id),
      (d) => d !== undefined,
    );
    expect(kill).toMatchObject({ decision_id: incident!.id, action: "kill", detector: "D3.ping_pong" });
    expect(good.attempts.filter((a) => a.id === incident!.id)).toEqual([
      { id: incident!.id, verified: true, status: 204 },
    ]);

    await eventually(
      async () => flaky.handled.has(incident!.id),
      (done) => done,
    );
    const first = flaky.attempts[0]!.id;
    expect(flaky.attempts.filter((a) => a.id === first).map((a) => a.status)).toEqual([503, 503, 204]);
    expect([...flaky.handled.keys()].filter((id) => id === first)).toEqual([first]);
    void Webhook;
  });
});
