import { createPriceBook, type LlmCall, normaliseSpan } from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../metrics.js";
import { chatSpan } from "../pipeline/testdata/span.js";
import { priceProcessor } from "./price.js";

describe("the price stage", () => {
  // The rule is the price book's (see PriceBook.price), so a reprice applies it too.
  it("leaves a successful call that reports no usage unpriced, not $0, and counts no price miss", async () => {
    const metrics = createMetrics();
    const price = priceProcessor.create({ priceBook: createPriceBook() }, { metrics });
    const spans = [
      // traceloop's streamed spans carry no usage: billed, for tokens nobody knows.
      chatSpan("00000000000000a1", {}),
      // A request the server refused (a 429) reports none either, and billed nothing.
      chatSpan("00000000000000a2", { "error.type": "RateLimitError" }, true),
      chatSpan("00000000000000a3", { "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100 }),
      // A model no price is known for is a price miss.
      chatSpan("00000000000000a4", {
        "gen_ai.request.model": "house-model-7",
        "gen_ai.usage.input_tokens": 10,
        "gen_ai.usage.output_tokens": 1,
      }),
    ];
    const calls = spans.map((s) => normaliseSpan(s, "p")).filter((c): c is LlmCall => c !== undefined);
    const priced = price({ projectId: "p", spans, calls, rejected: [], awaiting: [] });
    expect(priced.calls.map((c) => [c.spanId, c.cost.source, c.cost.total])).toEqual([
      ["00000000000000a1", "unpriced", "0"],
      ["00000000000000a2", "computed", "0.000000000000"],
      ["00000000000000a3", "computed", "0.003500000000"],
      ["00000000000000a4", "unpriced", "0"],
    ]);
    expect((await metrics.priceMisses.get()).values).toEqual([
      { labels: { provider: "openai", model: "house-model-7" }, value: 1 },
    ]);
  });
});
