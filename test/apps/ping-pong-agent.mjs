// One of two agents that talk over HTTP, each its own instrumented process, started with
// `node --import @burnrate/instrumentation/register ping-pong-agent.mjs`. Trace context and
// attribution cross the hop as W3C headers. Given the same reply every time, the two fall
// into the ping-pong of the $47k incident until the collector kills the trace.
import { createServer } from "node:http";
import { agentSpan, BurnrateStopError, onKill } from "@burnrate/instrumentation";
import { context, propagation } from "@opentelemetry/api";
import OpenAI from "openai";

const name = process.env.AGENT_NAME;
let peer = process.env.PEER_URL ?? "";
const client = new OpenAI({ apiKey: "test-key", baseURL: process.env.MOCK_OPENAI_URL, maxRetries: 0 });
const log = (event) => process.stdout.write(`${JSON.stringify({ agent: name, ...event })}\n`);

onKill((decision) => log({ event: "kill-received", detector: decision.detector, scope: decision.scope }));

async function turn(message) {
  const reply = await client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [
      { role: "system", content: `You are agent ${name}. Answer the other agent.` },
      { role: "user", content: message },
    ],
  });
  return reply.choices[0].message.content;
}

async function forward(text) {
  const headers = { "content-type": "application/json" };
  propagation.inject(context.active(), headers);
  const res = await fetch(`${peer}/message`, { method: "POST", headers, body: JSON.stringify({ text }) });
  return res.json();
}

const server = createServer(async (req, res) => {
  const body = JSON.parse(
    await new Promise((r) => {
      let data = "";
      req.on("data", (d) => (data += d));
      req.on("end", () => r(data));
    }),
  );
  if (req.url === "/peer") {
    peer = body.url; // the test tells each agent where the other listens
    res.end("{}");
    return;
  }
  const parent = propagation.extract(context.active(), req.headers);
  const probe = req.url === "/probe"; // one more turn in the caller's trace, not forwarded
  // The whole turn, the hop to the peer included, runs in this agent's span, so the
  // peer's work joins the same trace.
  const result = await context.with(parent, () =>
    agentSpan(name, async () => {
      try {
        const text = await turn(body.text);
        return probe ? { reply: text } : await forward(text);
      } catch (error) {
        if (error instanceof BurnrateStopError) {
          log({
            event: "stopped",
            error: error.name,
            detector: error.decision?.detector,
            message: error.message,
          });
          return { stoppedBy: name, error: error.name };
        }
        throw error;
      }
    }),
  );
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(result));
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  log({ event: "listening", port: server.address().port });
});
