import { z } from "zod";
import type { Processor } from "../pipeline/processor.js";

const configSchema = z.object({}).strict();

/**
 * Loop and budget detection. It passes batches through unchanged for now; the detectors
 * that decide to warn or kill run here, on calls in arrival order, before they are stored.
 */
export const detectProcessor: Processor<z.infer<typeof configSchema>> = {
  name: "detect",
  configSchema,
  create() {
    return (batch) => batch;
  },
};
