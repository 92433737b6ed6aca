import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Harness, startHarness, testTracer } from "../test/harness.js";
import { agentSpan, toolSpan } from "./agent-spans.js";
import { withAttribution } from "./attribution.js";
import { configure } from "./budget.js";
import { RunawayLoopError } from "./errors.js";
import { getRuntime } from "./runtime.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const tool = (name: string) => ({
  type: "function" as const,
  function: { name, parameters: { type: "object" } },
});

/** Runs `fn` inside a root span, as an agent run is; returns what it returned, or the error it threw. */
async function inTrace<T>(fn: () => Promise<T>): Promise<T | Error> {
  const root = testTracer().startSpan("agent run");
  try {
    return await context.with(trace.setSpan(context.active(), root), fn);
  } catch (error) {
    return error as Error;
  } finally {
    root.end();
  }
}

/** What an outcome says in one word: "ok", or the error's class and measure. */
function outcome(result: unknown): string {
  if (result instanceof RunawayLoopError) return `RunawayLoopError(${result.measure})`;
  return result instanceof Error ? result.constructor.name : "ok";
}

describe("local guard loop detection, through the real openai SDK", () => {
  it("lets five sub-agents of one trace each ask for the same first tool, and still stops one agent repeating itself", async () => {
    configure({ identicalCalls: 5 });
    h.mock.reset();
    h.mock.setDefault({ toolCalls: [{ name: "get_schema", arguments: {} }] });
    const ask = (ticket: string) =>
      h.openai.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: ticket }],
        tools: [tool("get_schema")],
      });
    try {
      // An orchestrator fans out five workers; each one's first step is the same no-argument lookup.
      const fanOut = await inTrace(async () => {
        await Promise.all(
          Array.from({ length: 5 }, (_, w) => agentSpan(`worker-${w}`, () => ask(`ticket #${w}`))),
        );
        // The orchestrator goes on in the same trace.
        return agentSpan("orchestrator", () => ask("merge the workers' answers"));
      });
      // One agent asking for get_schema({}) again and again is a loop: its 6th call is never sent.
      const before = h.mock.requestCount("openai.chat");
      const loop = await inTrace(() =>
        agentSpan("worker", async () => {
          for (let i = 0; i < 10; i++) await ask(`ticket #9, attempt ${i}`);
        }),
      );
      expect({
        fanOut: outcome(fanOut),
        loop: outcome(loop),
        loopRequests: h.mock.requestCount("openai.chat") - before,
      }).toEqual({ fanOut: "ok", loop: "RunawayLoopError(identical_calls)", loopRequests: 5 });
    } finally {
      getRuntime().guard.reset();
      h.mock.reset();
    }
  });

  it("takes samples of one prompt sent at once (best-of-n) as one step, and still stops the prompt asked again and again", async () => {
    configure({ identicalCalls: 5 });
    h.mock.reset();
    h.mock.setDefault({ text: "7", latencyMs: 30 });
    const grade = () =>
      h.openai.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Rate this essay from 1 to 10." }],
      });
    try {
      // Three rounds of best-of-5: fifteen identical calls, three steps.
      const sampled = await inTrace(() =>
        agentSpan("grader", async () => {
          for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 5 }, grade));
        }),
      );
      const before = h.mock.requestCount("openai.chat");
      const loop = await inTrace(() =>
        agentSpan("grader", async () => {
          for (let i = 0; i < 10; i++) await grade();
        }),
      );
      expect({
        sampled: outcome(sampled),
        sampledRequests: before,
        loop: outcome(loop),
        loopRequests: h.mock.requestCount("openai.chat") - before,
      }).toEqual({
        sampled: "ok",
        sampledRequests: 15,
        loop: "RunawayLoopError(identical_calls)",
        loopRequests: 5,
      });
    } finally {
      getRuntime().guard.reset();
      h.mock.reset();
    }
  });

  it("still stops a loop after the host slept: calls and tool runs are timed on one clock", async () => {
    // The monotonic clock stands still while the host sleeps and Date.now() does not: seven
    // hours here, past the 6 h a run may idle. Another run's tool between the loop's calls
    // must not make the loop's own run look idle and forgotten.
    configure({ identicalCalls: 5 });
    h.mock.reset();
    h.mock.setDefault({ text: "not yet", latencyMs: 5 });
    const wake = Date.now.bind(Date);
    const slept = vi.spyOn(Date, "now").mockImplementation(() => wake() + 7 * 3_600_000);
    const other = trace.setSpan(ROOT_CONTEXT, testTracer().startSpan("other run", { root: true }));
    const ask = () =>
      h.openai.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Is the report ready?" }],
      });
    try {
      const loop = await inTrace(() =>
        agentSpan("poller", async () => {
          for (let i = 0; i < 12; i++) {
            await ask();
            await context.with(other, () => agentSpan("other", () => toolSpan("lookup", async () => i)));
          }
        }),
      );
      expect({ loop: outcome(loop), requests: h.mock.requestCount("openai.chat") }).toEqual({
        loop: "RunawayLoopError(identical_calls)",
        requests: 5,
      });
    } finally {
      slept.mockRestore();
      trace.getSpan(other)?.end();
      getRuntime().guard.reset();
      h.mock.reset();
    }
  });

  it("holds a session's loop stop for an hour, then lets it go on, and stops it at its next repeat if it loops on", async () => {
    configure({ identicalCalls: 5 });
    h.mock.reset();
    h.mock.setDefault({ text: "Leaves drift and fall." });
    const ask = (session: string, content: string) =>
      withAttribution({ session }, () =>
        h.openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content }] }),
      ).then(
        () => "sent",
        (error: unknown) => outcome(error),
      );
    const autumn = (session: string) => ask(session, "Write a haiku about autumn.");
    const wake = Date.now.bind(Date);
    let laterMs = 0;
    const clock = vi.spyOn(Date, "now").mockImplementation(() => wake() + laterMs);
    try {
      // Two users press "regenerate" again and again: the sixth press of each is stopped.
      const pressed = [];
      for (let i = 0; i < 6; i++) pressed.push(await autumn("chat-1"), await autumn("chat-2"));
      laterMs = 59 * 60_000;
      const withinTheHour = await ask("chat-1", "Now one about spring.");
      laterMs = 61 * 60_000;
      // One moves on; the other goes on regenerating.
      const movedOn = [await ask("chat-1", "Now one about spring."), await autumn("chat-1")];
      const loopedOn = [await autumn("chat-2"), await autumn("chat-2")];
      expect({
        pressed,
        withinTheHour,
        movedOn,
        loopedOn,
        requests: h.mock.requestCount("openai.chat"),
      }).toEqual({
        pressed: [
          ...Array(10).fill("sent"),
          "RunawayLoopError(identical_calls)",
          "RunawayLoopError(identical_calls)",
        ],
        withinTheHour: "RunawayLoopError(identical_calls)",
        movedOn: ["sent", "sent"],
        loopedOn: ["sent", "RunawayLoopError(identical_calls)"],
        requests: 13,
      });
    } finally {
      clock.mockRestore();
      getRuntime().guard.reset();
      h.mock.reset();
    }
  });

  it("does not take one document extracted with five forced tools for a repeated prompt", async () => {
    configure({ identicalCalls: 5 });
    h.mock.reset();
    const fields = ["parties", "dates", "amounts", "clauses", "signatures", "governing_law"];
    const messages = [
      { role: "system" as const, content: "Extract from the contract." },
      { role: "user" as const, content: "<contract text>" },
    ];
    try {
      const result = await inTrace(async () => {
        for (const field of fields) {
          h.mock.enqueue({ toolCalls: [{ name: `extract_${field}`, arguments: { doc: 1 } }] });
          // Same messages and tools every time: only tool_choice, which is not in the prompt fingerprint, differs.
          await h.openai.chat.completions.create({
            model: "gpt-4o-mini",
            messages,
            tools: fields.map((f) => tool(`extract_${f}`)),
            tool_choice: { type: "function", function: { name: `extract_${field}` } },
          });
        }
        return "done";
      });
      expect({ result: outcome(result), requests: h.mock.requestCount("openai.chat") }).toEqual({
        result: "ok",
        requests: 6,
      });
    } finally {
      getRuntime().guard.reset();
      h.mock.reset();
    }
  });

  it("does not count requests the server refused: rate-limited retries, then the agent moves on", async () => {
    configure({ identicalCalls: 3 });
    h.mock.reset();
    const messages = [{ role: "user" as const, content: "step 7: find the refund policy" }];
    try {
      const result = await inTrace(async () => {
        const seen: string[] = [];
        // The app retries on 429 after the SDK gave up: four refusals, then the call goes through.
        for (let i = 0; i < 4; i++) h.mock.enqueue({ error: { status: 429, message: "rate limited" } });
        h.mock.enqueue({ toolCalls: [{ name: "search", arguments: { q: "refund policy" } }] });
        for (let attempt = 0; attempt < 5; attempt++) {
          const reply = await h.openai.chat.completions
            .create({ model: "gpt-4o-mini", messages, tools: [tool("search")] })
            .catch((error: Error) => error);
          seen.push(outcome(reply));
        }
        h.mock.enqueue({
          text: "The policy allows refunds within 30 days.",
          usage: { input: 900, output: 12 },
        });
        const next = await h.openai.chat.completions
          .create({
            model: "gpt-4o-mini",
            messages: [...messages, { role: "assistant", content: "searched" }],
          })
          .catch((error: Error) => error);
        seen.push(outcome(next));
        return seen;
      });
      expect({ result, requests: h.mock.requestCount("openai.chat") }).toEqual({
        result: ["RateLimitError", "RateLimitError", "RateLimitError", "RateLimitError", "ok", "ok"],
        requests: 6,
      });
    } finally {
      getRuntime().guard.reset();
      configure({ identicalCalls: 5 });
      h.mock.reset();
    }
  });
  it("does not count a stream that failed part way as a loop step: an agent retrying an overloaded model goes on", async () => {
    configure({ identicalCalls: 5 });
    h.mock.reset();
    const messages = [{ role: "user" as const, content: "summarise the report" }];
    try {
      const result = await inTrace(async () => {
        const seen: string[] = [];
        for (let attempt = 0; attempt < 7; attempt++) {
          h.mock.enqueue({
            text: "a long answer that gets cut off part way through",
            usage: { input: 100, output: 50 },
            streamError: { afterChunks: 3, type: "overloaded_error" },
          });
          const reply = await (async () => {
            const stream = await h.anthropic.messages.create({
              model: "claude-sonnet-4-6",
              max_tokens: 200,
              messages,
              stream: true,
            });
            for await (const _ of stream);
          })().catch((error: Error) => error);
          seen.push(outcome(reply));
          // The failed call's estimate is in before the retry, as after any real backoff.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return seen;
      });
      // Each attempt was billed its prompt, and the span says so, but it failed: the collector
      // does not count it as a step (its span has error status), and neither does the guard.
      expect({ result, requests: h.mock.requestCount("anthropic.messages") }).toEqual({
        result: Array.from({ length: 7 }, () => "APIError"),
        requests: 7,
      });
    } finally {
      getRuntime().guard.reset();
      h.mock.reset();
    }
  });
});
