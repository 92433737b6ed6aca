import type { PriceBook } from "@burnrate/core";
import { z } from "zod";
import type { Processor } from "../pipeline/processor.js";

const configSchema = z.object({ priceBook: z.custom<PriceBook>() });

/**
 * Prices each LLM call at its span's time. A cost the provider reported is kept; a model
 * no price is known for stays `unpriced` (never $0) and is counted as a price miss.
 */
export const priceProcessor: Processor<z.infer<typeof configSchema>> = {
  name: "price",
  configSchema,
  create({ priceBook }, { metrics }) {
    return (batch) => {
      if (batch.calls.length === 0) return batch;
      const calls = batch.calls.map((call) => {
        const { cost, miss } = priceBook.price(call);
        if (miss) metrics.priceMisses.inc({ provider: miss.provider, model: miss.model });
        return cost === call.cost ? call : { ...call, cost };
      });
      return { ...batch, calls };
    };
  },
};
