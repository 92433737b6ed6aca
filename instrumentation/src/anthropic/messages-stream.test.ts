import * as C from "@burnrate/core";
import { SpanStatusCode } from "@opentelemetry/api";
import { countTokens } from "gpt-tokenizer";
import { describe, expect, it } from "vitest";
import { useHarness } from "../../test/harness.js";
import { messagesText } from "../estimate.js";

const h = useHarness();

const model = "claude-sonnet-4-6";
const messages = [{ role: "user" as const, content: "Summarise the ticket." }];
const systemText = "You are a meticulous support agent for the ACME company. ".repeat(20);
// The form prompt caching needs: system as blocks with a cache breakpoint.
const system = [{ type: "text" as const, text: systemText, cache_control: { type: "ephemeral" as const } }];
// Whole prompt 37000 = 2000 uncached + 30000 cache read + 5000 cache write.
const usage = { input: 37_000, cacheRead: 30_000, cacheWrite: 5_000, output: 800 };
const text = "The customer wants a refund for a damaged order.";

/** The attributes of a stream cut off after message_start: exact prompt counts, estimated output. */
function cutAttributes(output: number, extra: Record<string, unknown> = {}) {
  return {
    [C.ATTR_GEN_AI_PROVIDER_NAME]: "anthropic",
    [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [C.ATTR_GEN_AI_REQUEST_MODEL]: model,
    [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model, messages, system }),
    [C.ATTR_GEN_AI_RESPONSE_MODEL]: model,
    [C.ATTR_GEN_AI_RESPONSE_ID]: expect.stringMatching(/^msg_/),
    [C.ATTR_BURNRATE_USAGE_ESTIMATED]: true,
    [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 37_000,
    [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output,
    [C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 30_000,
    [C.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 5_000,
    // 2000 * $3/M + 30000 * $0.30/M + 5000 * $3.75/M + output * $15/M
    [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: expect.closeTo((33_750 + output * 15) / 1e6, 12),
    [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
    [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
    ...extra,
  };
}

/** Reads a stream the way an app does, collecting the text it was given, until it ends or throws. */
async function readText(stream: AsyncIterable<unknown>, stopAfterDeltas = Infinity): Promise<string> {
  let seen = "";
  let deltas = 0;
  try {
    for await (const event of stream) {
      const e = event as { type: string; delta?: { type: string; text?: string; thinking?: string } };
      if (e.type !== "content_block_delta") continue;
      seen += e.delta?.text ?? e.delta?.thinking ?? "";
      if (++deltas >= stopAfterDeltas) break;
    }
  } catch {
    // The SDK's own error; the span records it.
  }
  return seen;
}

describe("anthropic message streams that end before message_delta", () => {
  it("keep the prompt's exact counts from message_start and estimate only the output", async () => {
    const create = () =>
      h.anthropic.messages.create({ model, max_tokens: 1024, system, messages, stream: true });
    // The app stops reading after the first text delta.
    h.mock.enqueue({ text, usage });
    const broken = await readText(await create(), 1);
    // The connection is cut after the first text delta (message_start, ping, block start, delta).
    h.mock.enqueue({ text, usage, cutAfterChunks: 4 });
    const cut = await readText(await create());
    // Anthropic sends an `error` event (overloaded) mid-stream.
    h.mock.enqueue({ text, usage, streamError: { afterChunks: 5 } });
    const failed = await readText(await create());
    // The app aborts the request after two text deltas.
    h.mock.enqueue({ text, usage, chunkDelayMs: 20 });
    const aborting = await create();
    let aborted = "";
    for await (const event of aborting) {
      if (event.type !== "content_block_delta" || event.delta.type !== "text_delta") continue;
      aborted += event.delta.text;
      if (aborted !== event.delta.text) aborting.controller.abort();
    }
    const spans = await h.waitForSpans(4);
    const error = { code: SpanStatusCode.ERROR };
    expect({
      seen: [broken, cut, failed, aborted].map((t) => t.length > 0),
      attributes: spans.map((s) => s.attributes),
      status: spans.map((s) => s.status.code),
    }).toEqual({
      seen: [true, true, true, true],
      attributes: [
        cutAttributes(countTokens(broken)),
        cutAttributes(countTokens(cut), { [C.ATTR_ERROR_TYPE]: "TypeError" }),
        cutAttributes(countTokens(failed), { [C.ATTR_ERROR_TYPE]: "APIError" }),
        cutAttributes(countTokens(aborted), { [C.ATTR_ERROR_TYPE]: "AbortError" }),
      ],
      status: [SpanStatusCode.UNSET, error.code, error.code, error.code],
    });
  });

  it("keep the one-hour part of the cache writes from message_start", async () => {
    // 2000 of the 5000 cache writes go to the one-hour cache. Cut after the first text delta.
    h.mock.enqueue({ text, usage: { ...usage, cacheWrite1h: 2_000 }, cutAfterChunks: 4 });
    const seen = await readText(
      await h.anthropic.messages.create({ model, max_tokens: 1024, system, messages, stream: true }),
    );
    const [span] = await h.waitForSpans(1);
    const output = countTokens(seen);
    expect({ seen: seen.length > 0, attributes: span!.attributes }).toEqual({
      seen: true,
      attributes: cutAttributes(output, {
        [C.ATTR_BURNRATE_USAGE_CACHE_CREATION_1H_INPUT_TOKENS]: 2_000,
        // 2000 * $3/M + 30000 * $0.30/M + 3000 * $3.75/M + 2000 * $6/M + output * $15/M
        [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: expect.closeTo((38_250 + output * 15) / 1e6, 12),
        [C.ATTR_ERROR_TYPE]: "TypeError",
      }),
    });
  });

  it("counts the thinking streamed so far as output when cut during extended thinking", async () => {
    const thinking = "Let me weigh the refund policy against the order history, step by step. ".repeat(8);
    // message_start, ping, thinking block start, then two of its four thinking deltas.
    h.mock.enqueue({ thinking, text, usage, cutAfterChunks: 5 });
    const seen = await readText(
      await h.anthropic.messages.create({ model, max_tokens: 4096, system, messages, stream: true }),
    );
    const [span] = await h.waitForSpans(1);
    expect({ seen: seen.length > 0, attributes: span!.attributes }).toEqual({
      seen: true,
      attributes: cutAttributes(countTokens(seen), { [C.ATTR_ERROR_TYPE]: "TypeError" }),
    });
  });

  it("estimates a prompt whose system is given as blocks as it does a system string", async () => {
    // Cut before message_start: nothing is known but the request, so the whole call is estimated.
    const spans = [];
    for (const form of [systemText, system]) {
      h.exporter.reset();
      h.mock.enqueue({ text, usage, cutAfterChunks: 0 });
      await readText(
        await h.anthropic.messages.create({ model, max_tokens: 1024, system: form, messages, stream: true }),
      );
      spans.push((await h.waitForSpans(1))[0]!);
    }
    const input = countTokens(`${systemText}\n${messagesText(messages)}`);
    const expected = (form: unknown) => ({
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "anthropic",
      [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: model,
      [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model, messages, system: form }),
      [C.ATTR_BURNRATE_USAGE_ESTIMATED]: true,
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
      [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: expect.closeTo((input * 3) / 1e6, 12),
      [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
      [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
      [C.ATTR_ERROR_TYPE]: "TypeError",
    });
    expect(spans.map((s) => s.attributes)).toEqual([expected(systemText), expected(system)]);
  });
});
