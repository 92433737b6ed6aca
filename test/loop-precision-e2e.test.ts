import {
  ATTR_BURNRATE_PROMPT_FINGERPRINT,
  ATTR_BURNRATE_SESSION,
  ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS,
  ATTR_BURNRATE_TOOL_RESULT_DIGEST,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  type AttributeValue,
  toolCallFingerprint,
} from "@burnrate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
import { hexId, type JsonSpanSpec, otlpJson } from "./support/otlp-json.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

let c: TestCollector;
let hooks: WebhookReceiver;

beforeAll(async () => {
  hooks = await startWebhookReceiver(SECRET);
  c = await startTestCollector({
    config: {
      // A run idle for a minute of event time is dropped, so the test can bring one back.
      detection: { detectors: { runTtlSeconds: 60 } },
      decisions: { webhooks: [{ url: hooks.url, secret: SECRET, actions: ["kill"] }] },
    },
  });
});

afterAll(async () => {
  await c?.stop();
  await hooks?.close();
});

interface Step {
  traceId: string;
  atMs: number;
  /** How long the span took; 5 ms unless given, so steps 10 ms apart are sequential. */
  tookMs?: number;
  agent?: string;
  session?: string;
  /** An LLM call that requested these tools. */
  tools?: [string, unknown][];
  prompt?: string;
  /** A tool execution. */
  tool?: string;
  digest?: string;
}

function span(step: Step): JsonSpanSpec {
  const attributes: Record<string, AttributeValue> = {};
  if (step.agent) attributes[ATTR_GEN_AI_AGENT_NAME] = step.agent;
  if (step.session) attributes[ATTR_BURNRATE_SESSION] = step.session;
  const startNs = BigInt(step.atMs) * 1_000_000n;
  const endNs = startNs + BigInt(step.tookMs ?? 5) * 1_000_000n;
  if (step.tool) {
    attributes[ATTR_GEN_AI_OPERATION_NAME] = "execute_tool";
    attributes[ATTR_GEN_AI_TOOL_NAME] = step.tool;
    if (step.digest) attributes[ATTR_BURNRATE_TOOL_RESULT_DIGEST] = step.digest;
    return {
      traceId: step.traceId,
      spanId: hexId(8),
      name: `execute_tool ${step.tool}`,
      startNs,
      endNs,
      attributes,
    };
  }
  Object.assign(attributes, {
    [ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
    [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 900,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 20,
    [ATTR_BURNRATE_PROMPT_FINGERPRINT]: step.prompt ?? hexId(8),
  });
  if (step.tools?.length) {
    attributes[ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS] = step.tools.map(([name, args]) =>
      toolCallFingerprint(name, args),
    );
  }
  return { traceId: step.traceId, spanId: hexId(8), startNs, endNs, attributes };
}

async function send(steps: Step[]): Promise<void> {
  const res = await fetch(`${c.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: otlpJson(steps.map(span), "loop-precision"),
  });
  expect(res.status).toBe(200);
}

interface Incident {
  id: string;
  detector: string;
  trace_id: string;
  session_id: string;
  agent: string;
}

async function killsWhen(done: (kills: Incident[]) => boolean): Promise<Incident[]> {
  return eventually(
    () =>
      c.db.query<Incident>({
        query:
          "SELECT id, detector, trace_id, session_id, JSONExtractString(evidence, 'agent') AS agent " +
          "FROM incidents FINAL WHERE action = 'kill' ORDER BY created_at, id",
        params: {},
      }),
    done,
  );
}

describe("loop detection in the collector, per agent and per run incarnation", () => {
  it("does not kill sub-agents that each start with the same tool, and kills one agent's loop among others", async () => {
    // Half an hour ago, so these runs are long idle (and dropped first) when the next test runs.
    const now = Date.now() - 30 * 60_000;
    const fanOut = hexId(16);
    const mixed = hexId(16);
    // Five workers of one trace, each asking for get_schema({}) first and reading the same schema.
    await send([
      ...Array.from({ length: 5 }, (_, w) => ({
        traceId: fanOut,
        atMs: now + w,
        agent: `worker-${w}`,
        tools: [["get_schema", {}]] as [string, unknown][],
      })),
      ...Array.from({ length: 5 }, (_, w) => ({
        traceId: fanOut,
        atMs: now + 10 + w,
        agent: `worker-${w}`,
        tool: "get_schema",
        digest: "schema-v1",
      })),
    ]);
    // Agent A repeats search({q:"x"}) while agent B reads page after page in the same trace.
    await send(
      Array.from({ length: 6 }, (_, i) => [
        {
          traceId: mixed,
          atMs: now + 100 + i * 10,
          agent: "A",
          tools: [["search", { q: "x" }]] as [string, unknown][],
        },
        {
          traceId: mixed,
          atMs: now + 101 + i * 10,
          agent: "B",
          tools: [["read_page", { n: i }]] as [string, unknown][],
        },
      ]).flat(),
    );
    const kills = await killsWhen((rows) => rows.some((r) => r.trace_id === mixed));
    expect(kills.filter((k) => k.trace_id === fanOut || k.trace_id === mixed)).toEqual([
      {
        id: expect.stringMatching(/^dec_/),
        detector: "D1.identical_call",
        trace_id: mixed,
        session_id: "",
        agent: "A",
      },
    ]);
  });

  it("does not kill best-of-5 rounds (one prompt sent five times at once), and kills the prompt sent again and again", async () => {
    const now = Date.now() - 20 * 60_000;
    const sampled = hexId(16);
    const looped = hexId(16);
    // Three rounds of best-of-5, a second apart: each call starts within 4 ms of its round's
    // first and takes about 800 ms.
    await send(
      Array.from({ length: 15 }, (_, i) => ({
        traceId: sampled,
        atMs: now + Math.floor(i / 5) * 1000 + (i % 5),
        tookMs: 800 + (i % 5) * 30,
        agent: "grader",
        prompt: "rate-this-essay",
      })),
    );
    // The same prompt sent five times one after another.
    await send(
      Array.from({ length: 5 }, (_, i) => ({
        traceId: looped,
        atMs: now + 5000 + i * 1000,
        tookMs: 800,
        agent: "grader",
        prompt: "rate-this-essay",
      })),
    );
    const kills = await killsWhen((rows) => rows.some((r) => r.trace_id === looped));
    expect(kills.filter((k) => k.trace_id === sampled || k.trace_id === looped)).toEqual([
      {
        id: expect.stringMatching(/^dec_/),
        detector: "D1.identical_call",
        trace_id: looped,
        session_id: "",
        agent: "grader",
      },
    ]);
  });

  it("kills a session that loops again after it was dropped as a new decision, which webhooks deliver", async () => {
    const now = Date.now();
    const loop = (fromMs: number): Step[] =>
      Array.from({ length: 5 }, (_, i) => ({
        traceId: hexId(16),
        atMs: fromMs + i * 1000,
        session: "sess-9",
        tools: [["get_order", { id: 1 }]],
      }));
    await send(loop(now - 10 * 60_000));
    const first = (await killsWhen((rows) => rows.some((r) => r.session_id === "sess-9"))).find(
      (r) => r.session_id === "sess-9",
    );
    // Other traffic moves event time on; the session, idle past the TTL, is dropped. Then it loops again.
    await send([{ traceId: hexId(16), atMs: now - 5000 }]);
    await send(loop(now - 4000));
    const kills = await killsWhen((rows) => rows.filter((r) => r.session_id === "sess-9").length >= 2);
    const session = kills.filter((k) => k.session_id === "sess-9");
    expect(session.map((k) => k.detector)).toEqual(["D1.identical_call", "D1.identical_call"]);
    expect(session[0]!.id).toBe(first!.id);
    expect(session[1]!.id).not.toBe(first!.id);
    // Both kills reach the webhook receiver: the second is not dropped as a repeat of the first.
    const delivered = await eventually(
      async () =>
        [...hooks.handled.values()].filter((d) => d.scope.session_id === "sess-9").map((d) => d.decision_id),
      (ids) => ids.length >= 2,
    );
    expect(delivered.sort()).toEqual(session.map((k) => k.id).sort());
  });
});
