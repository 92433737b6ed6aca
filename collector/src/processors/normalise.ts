import { type LlmCall, normaliseSpan } from "@burnrate/core";
import { z } from "zod";
import { type RejectedSpan, rejectForDefect, withoutRejected } from "../pipeline/batch.js";
import type { Processor } from "../pipeline/processor.js";

const configSchema = z.object({}).strict();

/**
 * Finds the LLM calls among a batch's spans, whichever convention they use. A span whose
 * normalisation throws (a defect: `normaliseSpan` is meant never to) is rejected alone, so
 * the rest of its request is still stored.
 */
export const normaliseProcessor: Processor<z.infer<typeof configSchema>> = {
  name: "normalise",
  configSchema,
  create() {
    return (batch) => {
      const calls: LlmCall[] = [];
      let rejected: RejectedSpan[] | undefined;
      for (const span of batch.spans) {
        try {
          const call = normaliseSpan(span, batch.projectId);
          if (call) calls.push(call);
        } catch (error) {
          rejected ??= [...batch.rejected];
          rejected.push(rejectForDefect(span, "normalise", error));
        }
      }
      if (!rejected) return { ...batch, calls };
      return { ...batch, spans: withoutRejected(batch.spans, rejected), calls, rejected };
    };
  },
};
