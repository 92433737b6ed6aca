import * as C from "@burnrate/core";
import { context, trace } from "@opentelemetry/api";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { testTracer, useHarness } from "../test/harness.js";
import { budget, configure } from "./budget.js";
import { RunawayLoopError } from "./errors.js";
import { getRuntime } from "./runtime.js";

const h = useHarness();

afterEach(() => {
  getRuntime().guard.reset();
  configure({ maxCallsPerTrace: undefined, identicalCalls: 5 });
});

/** Runs `fn` inside a root span, as an agent run is. */
async function inTrace<T>(fn: () => Promise<T>): Promise<T> {
  const root = testTracer().startSpan("agent run");
  try {
    return await context.with(trace.setSpan(context.active(), root), fn);
  } finally {
    root.end();
  }
}

/** What a call came to in one word: "ok", or the error's class (and a loop stop's measure). */
function outcome(result: unknown): string {
  if (result instanceof RunawayLoopError) return `RunawayLoopError(${result.measure})`;
  return result instanceof Error ? result.constructor.name : "ok";
}

const messages = (text: string) => [{ role: "user" as const, content: text }];

describe("local guards, with calls in flight", () => {
  // First in the file, while the tokenizer has not been loaded: its first estimate takes long
  // enough for the agent's next calls to be sent before it is done.
  it("see a stream without usage as soon as it ends, before its usage is estimated, and add the estimate after", async () => {
    configure({ identicalCalls: 3 });
    h.mock.setDefault({ toolCalls: [{ name: "read_file", arguments: { path: "a.ts" } }] });
    const tools = [{ type: "function" as const, function: { name: "read_file", parameters: {} } }];
    const { seen, spent } = await inTrace(async () => {
      const seen: string[] = [];
      for (let turn = 0; turn < 6; turn++) {
        const reply = await (async () => {
          // No stream_options.include_usage: the stream ends without usage.
          const stream = await h.openai.chat.completions.create({
            model: "gpt-4o-mini",
            messages: messages(`turn ${turn}`),
            tools,
            stream: true,
          });
          for await (const _ of stream);
        })().catch((error: unknown) => error);
        seen.push(outcome(reply));
        if (reply instanceof Error) break;
      }
      await h.waitForSpans(4); // three calls and the stopped one
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { seen, spent: budget() };
    });
    const calls = h.spans().filter((s) => s.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] !== undefined);
    const tokens = calls.reduce(
      (sum, s) =>
        sum +
        (s.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS] as number) +
        (s.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] as number),
      0,
    );
    expect({
      seen,
      requests: h.mock.requestCount("openai.chat"),
      estimated: calls.map((s) => s.attributes[C.ATTR_BURNRATE_USAGE_ESTIMATED]),
      calls: spent.calls,
      tokens: spent.tokens,
    }).toEqual({
      seen: ["ok", "ok", "ok", "RunawayLoopError(identical_calls)"],
      requests: 3,
      estimated: [true, true, true],
      calls: 3,
      tokens,
    });
    expect(tokens).toBeGreaterThan(0);
  });

  it("count calls in flight against the call limits, so a fan-out is cut at the limit", async () => {
    configure({ maxCallsPerTrace: 2 });
    h.mock.setDefault({ text: "ok", usage: { input: 100, output: 10 }, latencyMs: 50 });
    const result = await inTrace(async () => {
      const replies = Array.from({ length: 5 }, (_, i) =>
        h.openai.chat.completions.create({ model: "gpt-4o-mini", messages: messages(`q${i}`) }).then(
          () => "ok",
          (error: unknown) => outcome(error),
        ),
      );
      const { calls, remainingCalls, tokens } = budget();
      return { inFlight: { calls, remainingCalls, tokens }, outcomes: await Promise.all(replies) };
    });
    expect({ ...result, requests: h.mock.requestCount("openai.chat") }).toEqual({
      // Counted as sent, before anything has come back.
      inFlight: { calls: 2, remainingCalls: 0, tokens: 0 },
      outcomes: ["ok", "ok", "BudgetExceededError", "BudgetExceededError", "BudgetExceededError"],
      requests: 2,
    });
  });

  it("do not count a call the SDK refused before sending it", async () => {
    configure({ maxCallsPerTrace: 1 });
    h.mock.setDefault({ text: "ok", usage: { input: 100, output: 10 } });
    const result = await inTrace(async () => {
      let refused: unknown;
      try {
        // The Anthropic SDK throws at once: a non-streaming request this long needs streaming.
        h.anthropic.messages.create({
          model: "claude-sonnet-4-6",
          max_tokens: 1_000_000,
          messages: messages("write a novel"),
        });
      } catch (error) {
        refused = error;
      }
      const afterRefusal = budget().calls;
      const next = await h.anthropic.messages
        .create({ model: "claude-sonnet-4-6", max_tokens: 100, messages: messages("write a haiku") })
        .catch((error: unknown) => error);
      return { refused: outcome(refused), afterRefusal, next: outcome(next) };
    });
    expect({ ...result, requests: h.mock.requestCount("anthropic.messages") }).toEqual({
      refused: "AnthropicError",
      afterRefusal: 0,
      next: "ok",
      requests: 1,
    });
  });

  it("do not count a call whose request failed before it went out, and count one the server refused", async () => {
    configure({ maxCallsPerTrace: 2 });
    let vaultUp = false;
    // The key comes from a token service, which is down at first: the SDK never sends.
    const client = new OpenAI({
      baseURL: h.mock.openaiBaseUrl,
      maxRetries: 0,
      apiKey: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (!vaultUp) throw new Error("vault down");
        return "k";
      },
    });
    const ask = () =>
      client.chat.completions
        .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })
        .catch((error: unknown) => error);
    h.mock.enqueue({ error: { status: 500 } });
    h.mock.setDefault({ text: "ok", usage: { input: 10, output: 2 } });
    const result = await inTrace(async () => {
      const outcomes = [outcome(await ask()), outcome(await ask())];
      const afterRefusals = budget().calls;
      vaultUp = true;
      outcomes.push(outcome(await ask()), outcome(await ask()), outcome(await ask()));
      return { outcomes, afterRefusals };
    });
    expect({ ...result, requests: h.mock.requestCount("openai.chat") }).toEqual({
      // Neither failed token fetch counts; the 500 does, so the limit of 2 stops the fifth call.
      outcomes: ["OpenAIError", "OpenAIError", "InternalServerError", "ok", "BudgetExceededError"],
      afterRefusals: 0,
      requests: 2,
    });
  });
});
