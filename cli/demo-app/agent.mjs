// One of the two agents `burnrate demo` runs, each its own instrumented process:
//   node --import @burnrate/instrumentation/register agent.mjs
// It answers the message it is given with one model call, then hands the answer to its peer
// over HTTP, with the trace context and attribution in W3C headers, so a whole ticket is one
// trace across both processes. What it does goes to stdout as JSON lines, for the demo to show.
import { createServer } from "node:http";
import {
  agentSpan,
  BurnrateStopError,
  onDecision,
  setupTracing,
  withAttribution,
} from "@burnrate/instrumentation";
import { context, propagation, trace } from "@opentelemetry/api";
import OpenAI from "openai";

const name = process.env.DEMO_AGENT_NAME ?? "agent";
const model = process.env.DEMO_MODEL ?? "gpt-4o";
const feature = process.env.DEMO_FEATURE ?? "demo";
// A reply starting with this ends the ticket instead of going to the peer.
const RESOLVED = "RESOLVED:";
// Constant, so the same incoming message makes the same prompt: that is what the loop repeats.
const SYSTEM = `You are ${name}, one of two support agents. Work the ticket with the other agent. Start your reply with "${RESOLVED}" once the customer has been answered.`;

const client = new OpenAI({ apiKey: "demo", baseURL: process.env.DEMO_OPENAI_URL, maxRetries: 0 });
let peer = { name: "", url: "" };
const log = (event) => process.stdout.write(`${JSON.stringify({ agent: name, ...event })}\n`);

// Warnings and kills alike, so the demo can show the ladder; the kill list itself is the SDK's.
onDecision((d) =>
  log({
    event: "decision",
    decision: { id: d.decision_id, action: d.action, detector: d.detector, reason: d.reason, scope: d.scope },
  }),
);

/** One turn: ask the model, then pass the answer on (or close the ticket). */
async function work({ ticket, turn, text }) {
  const startedAt = Date.now();
  try {
    const reply = await client.chat.completions.create({
      model,
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: text },
      ],
    });
    const answer = reply.choices[0]?.message.content ?? "";
    const resolved = answer.startsWith(RESOLVED);
    log({
      event: "turn",
      traceId: trace.getActiveSpan()?.spanContext().traceId,
      ticket,
      turn,
      to: resolved ? null : peer.name,
      model: reply.model,
      usage: { input: reply.usage?.prompt_tokens ?? 0, output: reply.usage?.completion_tokens ?? 0 },
      startedAt,
      endedAt: Date.now(),
    });
    if (resolved) log({ event: "resolved", ticket, turn });
    else await handOver({ ticket, turn: turn + 1, text: answer });
  } catch (error) {
    if (error instanceof BurnrateStopError) {
      log({ event: "stopped", ticket, turn, error: error.name, detector: error.decision?.detector });
    } else {
      log({
        event: "error",
        ticket,
        turn,
        error: error?.name ?? "Error",
        message: String(error?.message ?? error),
      });
    }
  }
}

async function handOver(message) {
  const headers = { "content-type": "application/json" };
  propagation.inject(context.active(), headers);
  const res = await fetch(`${peer.url}/message`, { method: "POST", headers, body: JSON.stringify(message) });
  if (res.status !== 202) throw new Error(`${peer.name} answered ${res.status}`);
}

const server = createServer((req, res) => {
  let data = "";
  req.on("data", (d) => {
    data += d;
  });
  req.on("end", () => {
    const body = JSON.parse(data || "{}");
    if (req.url === "/peer") {
      peer = body; // the demo tells each agent who the other is once both listen
      res.end("{}");
      return;
    }
    // Answer at once and work afterwards: the hand-over is a message, not a call that waits
    // for the whole rest of the conversation.
    res.writeHead(202, { "content-type": "application/json" });
    res.end("{}");
    const parent = propagation.extract(context.active(), req.headers);
    context.with(parent, () => withAttribution({ feature }, () => agentSpan(name, () => work(body))));
  });
});

// Flush buffered spans before leaving, so the collector stores the whole trace.
let leaving = false;
async function shutdown() {
  if (leaving) return;
  leaving = true;
  server.close();
  await Promise.race([setupTracing().flush(), new Promise((r) => setTimeout(r, 1_000))]);
  process.exit(0);
}
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
// The demo holds our stdin: when it goes away, even killed outright, this agent goes too.
process.stdin.on("end", shutdown);
process.stdin.on("close", shutdown);
process.stdin.resume();

server.listen(0, "127.0.0.1", () => log({ event: "listening", port: server.address().port }));
