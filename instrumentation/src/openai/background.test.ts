import * as C from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { useHarness } from "../../test/harness.js";
import { endPendingBackground } from "./background.js";

const h = useHarness();

const model = "o4-mini";
const input = "Research the market.";
const usage = { input: 5_000, output: 20_000, reasoning: 18_000 };

/** What the span of a background response says whether or not it was seen to finish. */
function responseAttributes(id: string) {
  return {
    [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
    [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [C.ATTR_GEN_AI_REQUEST_MODEL]: model,
    [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: C.promptFingerprint({ model, messages: input }),
    [C.ATTR_GEN_AI_RESPONSE_MODEL]: model,
    [C.ATTR_GEN_AI_RESPONSE_ID]: id,
    [C.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
  };
}

describe("openai background responses", () => {
  it("end the create call's span with the usage the retrieve of the finished response reports, once", async () => {
    h.mock.enqueue({ text: "The report.", usage, backgroundPolls: 2 });
    const created = await h.openai.responses.create({ model, input, background: true });
    const statuses: string[] = [created.status!];
    let spansWhileRunning = -1;
    for (;;) {
      const polled = await h.openai.responses.retrieve(created.id);
      statuses.push(polled.status!);
      if (polled.status === "completed") break;
      spansWhileRunning = h.spans().length;
    }
    // A retrieve after the end finds nothing left to settle.
    await h.openai.responses.retrieve(created.id);
    const [span, ...others] = await h.waitForSpans(1);
    expect({
      statuses,
      spansWhileRunning,
      others: others.length,
      name: span!.name,
      attributes: span!.attributes,
    }).toEqual({
      statuses: ["queued", "in_progress", "in_progress", "completed"],
      spansWhileRunning: 0,
      others: 0,
      name: `chat ${model}`,
      attributes: {
        ...responseAttributes(created.id),
        [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["completed"],
        [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 5_000,
        [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 20_000,
        [C.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 18_000,
        // 5000 * $1.10/M + 20000 * $4.40/M = 0.0055 + 0.088
        [C.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.0935,
        [C.ATTR_GEN_AI_USAGE_COST_CURRENCY]: "USD",
        [C.ATTR_GEN_AI_USAGE_COST_SOURCE]: "local",
      },
    });
  });

  it("end with the usage however the app learns the response has ended: read raw, streamed, or cancelled", async () => {
    const ended: Record<string, unknown>[] = [];
    const learn = {
      raw: async (id: string) => {
        // Polled as an app that reads the raw body itself does, until it has finished.
        while (
          ((await (await h.openai.responses.retrieve(id).asResponse()).json()) as { status: string })
            .status !== "completed"
        ) {
          // poll again
        }
      },
      streamed: async (id: string) => {
        for await (const _ of await h.openai.responses.retrieve(id, { stream: true })) {
          // read to the end, as an app resuming the response does
        }
      },
      cancelled: (id: string) => h.openai.responses.cancel(id),
    };
    for (const [how, read] of Object.entries(learn)) {
      h.mock.enqueue({ text: `Report ${how}.`, usage: { input: 1_000, output: 200 }, backgroundPolls: 3 });
      const created = await h.openai.responses.create({ model, input, background: true });
      const before = h.spans().length;
      await read(created.id);
      const [span] = (await h.waitForSpans(before + 1)).slice(before);
      ended.push({
        how,
        spansBefore: before - ended.length,
        finish: span!.attributes[C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS],
        input: span!.attributes[C.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
        output: span!.attributes[C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
        // 1000 * $1.10/M + 200 * $4.40/M
        cost: span!.attributes[C.ATTR_GEN_AI_USAGE_COST_AMOUNT],
      });
    }
    const expected = (how: string, finish: string) => ({
      how,
      spansBefore: 0,
      finish: [finish],
      input: 1_000,
      output: 200,
      cost: 0.00198,
    });
    expect(ended).toEqual([
      expected("raw", "completed"),
      expected("streamed", "completed"),
      expected("cancelled", "cancelled"),
    ]);
  });

  it("end, when the app exits without having seen the response finish, as last seen and without usage", async () => {
    h.mock.enqueue({ text: "Never read.", usage });
    const created = await h.openai.responses.create({ model, input, background: true });
    const before = h.spans().length;
    endPendingBackground(); // what the app's exit runs, ahead of the last flush
    const [span] = await h.waitForSpans(1);
    expect({ before, attributes: span!.attributes }).toEqual({
      before: 0,
      attributes: {
        ...responseAttributes(created.id),
        [C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["queued"],
      },
    });
  });

  it("leave a retrieve of a response the process did not start in the background alone", async () => {
    h.mock.enqueue({ text: "Foreground.", usage: { input: 10, output: 2 } });
    const done = await h.openai.responses.create({ model, input });
    await h.waitForSpans(1);
    h.mock.enqueue({ text: "Someone else's.", usage, backgroundPolls: 0 });
    const foreign = await h.openai.responses.create({ model, input, background: true });
    endPendingBackground();
    await h.waitForSpans(2);
    // Reading either now (finished, or already ended at exit) adds nothing.
    const read = await Promise.all([
      h.openai.responses.retrieve(foreign.id),
      h.openai.responses.retrieve(done.id).catch(() => "404"),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect({
      read: read.map((r) => (typeof r === "string" ? r : r.status)),
      spans: h.spans().length,
    }).toEqual({
      read: ["completed", "404"],
      spans: 2,
    });
  });
});
