import type { LlmCall, PriceBook } from "@burnrate/core";
import { z } from "zod";
import { type RejectedSpan, rejectForDefect, withoutRejected } from "../pipeline/batch.js";
import type { Processor } from "../pipeline/processor.js";

const configSchema = z.object({ priceBook: z.custom<PriceBook>() });

/**
 * Prices each LLM call at its span's time. A cost the provider reported is kept; a model
 * no price is known for stays `unpriced` (never $0) and is counted as a price miss. A call
 * whose pricing throws (a defect: the price book is meant never to) has its span rejected
 * alone, so the rest of its request is still stored.
 */
export const priceProcessor: Processor<z.infer<typeof configSchema>> = {
  name: "price",
  configSchema,
  create({ priceBook }, { metrics }) {
    return (batch) => {
      if (batch.calls.length === 0) return batch;
      const calls: LlmCall[] = [];
      let rejected: RejectedSpan[] | undefined;
      for (const call of batch.calls) {
        try {
          const { cost, miss } = priceBook.price(call);
          if (miss) metrics.priceMisses.inc({ provider: miss.provider, model: miss.model });
          calls.push(cost === call.cost ? call : { ...call, cost });
        } catch (error) {
          const span = batch.spans.find((s) => s.spanId === call.spanId && s.traceId === call.traceId);
          rejected ??= [...batch.rejected];
          if (span) rejected.push(rejectForDefect(span, "price", error));
        }
      }
      if (!rejected) return { ...batch, calls };
      return { ...batch, spans: withoutRejected(batch.spans, rejected), calls, rejected };
    };
  },
};
