import * as C from "@burnrate/core";
import { SpanStatusCode } from "@opentelemetry/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useHarness } from "../test/harness.js";
import { withAttribution } from "./attribution.js";
import { budget } from "./budget.js";
import { getRuntime } from "./runtime.js";

const h = useHarness();

afterEach(() => getRuntime().guard.reset());

const messages = [{ role: "user" as const, content: "Fire and forget." }];
const usage = { input: 1000, output: 100 };

/** What a span says about the call's tokens and cost. */
const summary = (attributes: Record<string, unknown>) => ({
  model: attributes[C.ATTR_GEN_AI_REQUEST_MODEL],
  input: attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
  output: attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
  cost: attributes[C.ATTR_GEN_AI_USAGE_COST_AMOUNT],
});

/** The spans so far, summarised, by model (they end in the order their answers arrive). */
const summaries = () =>
  h
    .spans()
    .map((s) => summary(s.attributes))
    .sort((a, b) => String(a.model).localeCompare(String(b.model)));

/** Waits until the mock has answered `n` requests and one more turn has passed. */
async function answered(n: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (h.mock.requests.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50));
}

describe("a call whose body nobody asks for", () => {
  it("ends its span with the usage and cost of a create() that is never awaited (openai 7 and 6, Anthropic)", async () => {
    h.mock.setDefault({ text: "Unread.", usage });
    const clone = vi.spyOn(Response.prototype, "clone");
    void h.openai.chat.completions.create({ model: "gpt-4o", messages });
    void h.openaiV6.chat.completions.create({ model: "gpt-4o-mini", messages });
    void h.openai.responses.create({ model: "o4-mini", input: "Fire and forget." });
    void h.anthropic.messages.create({ model: "claude-sonnet-4-5", max_tokens: 64, messages });
    await h.waitForSpans(4);
    const copies = clone.mock.calls.length;
    clone.mockRestore();
    expect(copies).toBe(4); // each body was read from a copy
    expect(summaries()).toEqual([
      { model: "claude-sonnet-4-5", input: 1000, output: 100, cost: 0.0045 },
      { model: "gpt-4o", input: 1000, output: 100, cost: 0.0035 },
      { model: "gpt-4o-mini", input: 1000, output: 100, cost: 0.00021 },
      { model: "o4-mini", input: 1000, output: 100, cost: 0.00154 },
    ]);
  });

  it("counts an unawaited call's tokens and cost in its run's budget", async () => {
    h.mock.setDefault({ text: "Unread.", usage });
    const seen = await withAttribution({ session: "fire-and-forget" }, async () => {
      void h.openai.chat.completions.create({ model: "gpt-4o", messages });
      await answered(1);
      await h.waitForSpans(1);
      return budget();
    });
    expect(seen).toEqual({
      scope: { session: "fire-and-forget" },
      spentUsd: 0.0035,
      remainingUsd: undefined,
      calls: 1,
      remainingCalls: undefined,
      tokens: 1100,
      remainingTokens: undefined,
    });
  });

  it("still hands a caller that asks late the whole answer, parsed, raw or with its response, with one span each", async () => {
    h.mock.setDefault({ text: "Late.", usage });
    const create = () => h.openai.chat.completions.create({ model: "gpt-4o", messages });
    const parsed = create();
    const raw = create();
    const withResponse = h.openaiV6.chat.completions.create({ model: "gpt-4o", messages });
    const helper = h.openai.chat.completions.parse({ model: "gpt-4o", messages });
    const anthropic = h.anthropic.messages.create({ model: "claude-sonnet-4-5", max_tokens: 64, messages });
    await answered(5);
    const spansBefore = h.spans().length;
    const read = {
      parsed: (await parsed).choices[0]!.message.content,
      raw: ((await (await raw.asResponse()).json()) as { choices: { message: { content: string } }[] })
        .choices[0]!.message.content,
      withResponse: await withResponse
        .withResponse()
        .then((r) => [r.data.choices[0]!.message.content, r.response.status]),
      helper: (await helper).choices[0]!.message.content,
      anthropic: (await anthropic).content[0]!.type,
    };
    await new Promise((r) => setTimeout(r, 50));
    expect({
      spansBefore,
      read,
      spans: summaries(),
    }).toEqual({
      spansBefore: 5,
      read: {
        parsed: "Late.",
        raw: "Late.",
        withResponse: ["Late.", 200],
        helper: "Late.",
        anthropic: "text",
      },
      spans: [
        { model: "claude-sonnet-4-5", input: 1000, output: 100, cost: 0.0045 },
        ...Array(4).fill({ model: "gpt-4o", input: 1000, output: 100, cost: 0.0035 }),
      ],
    });
  });

  it("ends an unawaited stream's span with the usage its events carried", async () => {
    h.mock.setDefault({ text: "Streamed, unread.", usage });
    void h.openai.chat.completions.create({
      model: "gpt-4o",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const [span] = await h.waitForSpans(1);
    expect(summary(span!.attributes)).toEqual({ model: "gpt-4o", input: 1000, output: 100, cost: 0.0035 });
  });

  it("takes no copy of a body the caller asked for before it arrived", async () => {
    h.mock.setDefault({ text: "Read once.", usage });
    const clone = vi.spyOn(Response.prototype, "clone");
    try {
      await h.openai.chat.completions.create({ model: "gpt-4o", messages });
      await h.openaiV6.chat.completions.create({ model: "gpt-4o", messages }).withResponse();
      await h.openai.chat.completions.parse({ model: "gpt-4o", messages });
      await h.openaiV6.chat.completions.parse({ model: "gpt-4o", messages });
      await h.anthropic.messages.create({ model: "claude-sonnet-4-5", max_tokens: 64, messages });
      await h.waitForSpans(5);
      expect({ copies: clone.mock.calls.length, spans: summaries().length }).toEqual({ copies: 0, spans: 5 });
    } finally {
      clone.mockRestore();
    }
  });

  it("ends the call as failed when the body it copies is cut off, as the caller's read fails", async () => {
    const cut = { text: "Half of this never arrives.", cutBody: true, usage };
    h.mock.enqueue(cut);
    const late = h.openai.chat.completions.create({ model: "gpt-4o", messages });
    await answered(1);
    const error = await late.then(String, (e: Error) => `${e.name}: ${e.message}`);
    h.mock.enqueue(cut);
    void h.anthropic.messages.create({ model: "claude-sonnet-4-5", max_tokens: 64, messages });
    await h.waitForSpans(2);
    expect({
      error,
      spans: h.spans().map((s) => [s.name, s.status.code, s.attributes[C.ATTR_ERROR_TYPE]]),
    }).toEqual({
      error: "TypeError: terminated",
      spans: [
        ["chat gpt-4o", SpanStatusCode.ERROR, "TypeError"],
        ["chat claude-sonnet-4-5", SpanStatusCode.ERROR, "TypeError"],
      ],
    });
  });

  it("ends an unread stream whose provider reports an error in it as failed, as the SDK's own read does", async () => {
    const failing = { text: "Streamed text that fails", streamError: { afterChunks: 2 }, usage };
    h.mock.enqueue(failing);
    void h.openai.chat.completions.create({
      model: "gpt-4o",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    await h.waitForSpans(1);
    h.mock.enqueue(failing);
    void h.anthropic.messages.create({ model: "claude-sonnet-4-5", max_tokens: 64, messages, stream: true });
    await h.waitForSpans(2);
    // Read at once, by the SDK, the same streams end the same way.
    h.mock.enqueue(failing);
    const read = await h.openai.chat.completions
      .create({ model: "gpt-4o-mini", messages, stream: true, stream_options: { include_usage: true } })
      .then(async (stream) => {
        for await (const _ of stream) {
          // to the error
        }
      })
      .catch((e: Error) => e.constructor.name);
    await h.waitForSpans(3);
    expect({
      read,
      spans: h.spans().map((s) => [s.name, s.status.code, s.attributes[C.ATTR_ERROR_TYPE]]),
    }).toEqual({
      read: "APIError",
      spans: [
        ["chat gpt-4o", SpanStatusCode.ERROR, "APIError"],
        ["chat claude-sonnet-4-5", SpanStatusCode.ERROR, "APIError"],
        ["chat gpt-4o-mini", SpanStatusCode.ERROR, "APIError"],
      ],
    });
  });

  it("takes one copy of a stream when the caller reads it raw while Burnrate's copy is being read", async () => {
    h.mock.setDefault({ text: "one two three four five six", usage, chunkDelayMs: 20, chunks: 6 });
    const clone = vi.spyOn(Response.prototype, "clone");
    try {
      const stream = h.openai.chat.completions.create({
        model: "gpt-4o",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      await answered(1);
      const text = await (await stream.asResponse()).text();
      const [span] = await h.waitForSpans(1);
      expect({
        whole: text.includes("[DONE]"),
        copies: clone.mock.calls.length,
        span: summary(span!.attributes),
      }).toEqual({
        whole: true,
        copies: 1,
        span: { model: "gpt-4o", input: 1000, output: 100, cost: 0.0035 },
      });
    } finally {
      clone.mockRestore();
    }
  });
});
