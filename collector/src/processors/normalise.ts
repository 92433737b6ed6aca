import { normaliseSpan } from "@burnrate/core";
import { z } from "zod";
import type { Processor } from "../pipeline/processor.js";

const configSchema = z.object({}).strict();

/** Finds the LLM calls among a batch's spans, whichever convention they use. */
export const normaliseProcessor: Processor<z.infer<typeof configSchema>> = {
  name: "normalise",
  configSchema,
  create() {
    return (batch) => {
      const calls = [];
      for (const span of batch.spans) {
        const call = normaliseSpan(span, batch.projectId);
        if (call) calls.push(call);
      }
      return { ...batch, calls };
    };
  },
};
