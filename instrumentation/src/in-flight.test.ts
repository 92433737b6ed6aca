import * as C from "@burnrate/core";
import { type TracerProvider, trace } from "@opentelemetry/api";
import { hrTimeToMilliseconds } from "@opentelemetry/core";
import OpenAI from "openai";
import { describe, expect, it, vi } from "vitest";
import { useHarness } from "../test/harness.js";
import { MOST_QUEUED, whileInFlight } from "./in-flight.js";

const h = useHarness();

const question = { role: "user" as const, content: "Capital of France?" };

describe("span work done while the request is in flight", () => {
  it("gives the span the call's own start time, so its duration covers the whole request", async () => {
    h.mock.enqueue({ text: "Paris.", usage: { input: 10, output: 2 }, latencyMs: 120 });
    const before = Date.now();
    await h.openai.chat.completions.create({ model: "gpt-4o", messages: [question] });
    const after = Date.now();
    const [span] = await h.waitForSpans(1);
    const start = hrTimeToMilliseconds(span!.startTime);
    const end = hrTimeToMilliseconds(span!.endTime);
    // Span times come from the performance clock, Date.now() from the wall clock: a few ms apart at most.
    expect({
      startsWithTheCall: start >= before - 5 && start <= before + 20,
      endsWithTheCall: end <= after + 5,
      coversTheRequest: end - start >= 120,
    }).toEqual({ startsWithTheCall: true, endsWithTheCall: true, coversTheRequest: true });
  });

  it("fingerprints the prompt as it was sent, though the app appends to the same array afterwards", async () => {
    h.mock.enqueue({ text: "Paris.", usage: { input: 10, output: 2 } });
    h.mock.enqueue({ text: "About 2 million.", usage: { input: 20, output: 4 } });
    const messages: OpenAI.ChatCompletionMessageParam[] = [question];
    const first = await h.openai.chat.completions.create({ model: "gpt-4o", messages });
    messages.push(first.choices[0]!.message, { role: "user", content: "Population?" });
    await h.openai.chat.completions.create({ model: "gpt-4o", messages });
    const spans = await h.waitForSpans(2);
    expect(spans.map((s) => s.attributes[C.ATTR_BURNRATE_PROMPT_FINGERPRINT])).toEqual([
      C.promptFingerprint({ model: "gpt-4o", messages: [question] }),
      C.promptFingerprint({ model: "gpt-4o", messages }),
    ]);
  });

  it("records a whole span for a response that arrives before the span was started", async () => {
    // A fetch that answers at once: the SDK parses the reply in the same turn of the event
    // loop as the call, before the in-flight work has had its turn.
    const body = {
      id: "chatcmpl-now",
      object: "chat.completion",
      created: 1,
      model: "gpt-4o-mini",
      choices: [{ index: 0, message: { role: "assistant", content: "Paris." }, finish_reason: "stop" }],
      usage: { prompt_tokens: 42, completion_tokens: 8, total_tokens: 50 },
    };
    const client = new OpenAI({
      apiKey: "test-key",
      baseURL: "http://127.0.0.1:9/v1",
      maxRetries: 0,
      fetch: async () =>
        new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } }),
    });
    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [question] });
    expect(completion.id).toBe("chatcmpl-now");
    // Ended by the time the caller has the completion: no waiting needed.
    expect(h.spans().map((s) => s.attributes)).toEqual([
      {
        [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
        [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
        [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o-mini",
        [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({
          model: "gpt-4o-mini",
          messages: [question],
        }),
        [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-4o-mini",
        [C.ATTR_GEN_AI_RESPONSE_ID]: "chatcmpl-now",
        [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["stop"],
        [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 42,
        [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 8,
        // 42 * $0.15/M + 8 * $0.60/M = $0.0000111
        [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.0000111,
        [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
        [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
      },
    ]);
  });

  it("costs a call only its span when the tracer cannot start one, with or without an SDK error", async () => {
    const tracer = trace.getTracer("any");
    const brokenTracer = {
      ...tracer,
      startSpan: () => {
        throw new Error("tracer is broken");
      },
    } as typeof tracer;
    const broken = vi
      .spyOn(trace, "getTracerProvider")
      .mockReturnValue({ getTracer: () => brokenTracer } as TracerProvider);
    try {
      h.mock.enqueue({ text: "Paris.", usage: { input: 10, output: 2 } });
      h.mock.enqueue({ error: { status: 429 } });
      const completion = await h.openai.chat.completions.create({ model: "gpt-4o", messages: [question] });
      const refused = await h.openai.chat.completions.create({ model: "gpt-4o", messages: [question] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect({
        text: completion.choices[0]?.message.content,
        refused: refused instanceof OpenAI.RateLimitError,
        spans: h.spans().length,
      }).toEqual({ text: "Paris.", refused: true, spans: 0 });
    } finally {
      broken.mockRestore();
    }
  });

  it("works off a burst that never yields to the event loop at once, rather than holding every call", async () => {
    let settled = 0;
    const work = () => ({ settleStart: () => void settled++ });
    for (let i = 0; i < MOST_QUEUED; i++) whileInFlight(work());
    const beforeTheBound = settled;
    whileInFlight(work());
    const atTheBound = settled;
    await new Promise((resolve) => setImmediate(resolve));
    expect({ beforeTheBound, atTheBound, afterTheTurn: settled }).toEqual({
      beforeTheBound: 0,
      atTheBound: MOST_QUEUED,
      afterTheTurn: MOST_QUEUED + 1,
    });
  });
});
