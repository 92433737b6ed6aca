import { createPriceBook, type LlmCall, normaliseSpan, type Span } from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../metrics.js";
import { priceProcessor } from "./price.js";

function span(spanId: string, attributes: Span["attributes"], failed = false): Span {
  return {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId,
    parentSpanId: "",
    traceState: "",
    name: "chat gpt-4o",
    kind: 3,
    startTimeUnixNano: 1760000000000000000n,
    endTimeUnixNano: 1760000001250000000n,
    attributes: { "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o", ...attributes },
    resource: {},
    scope: { name: "", version: "" },
    status: { code: failed ? 2 : 0, message: "" },
    events: [],
    links: [],
  };
}

describe("the price stage", () => {
  // The rule is the price book's (see PriceBook.price), so a reprice applies it too.
  it("leaves a successful call that reports no usage unpriced, not $0, and counts no price miss", async () => {
    const metrics = createMetrics();
    const price = priceProcessor.create({ priceBook: createPriceBook() }, { metrics });
    const spans = [
      // traceloop's streamed spans carry no usage: billed, for tokens nobody knows.
      span("00000000000000a1", {}),
      // A request the server refused (a 429) reports none either, and billed nothing.
      span("00000000000000a2", { "error.type": "RateLimitError" }, true),
      span("00000000000000a3", { "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100 }),
      // A model no price is known for is a price miss.
      span("00000000000000a4", {
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
