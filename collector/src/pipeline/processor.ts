import type { z } from "zod";
import type { CollectorMetrics } from "../metrics.js";
import type { Batch } from "./batch.js";

/** What a processor may use besides its config. */
export interface ProcessorContext {
  metrics: CollectorMetrics;
}

/**
 * A processing step: a pure transform of a batch. It never calls the next step; the
 * pipeline runner owns ordering, timing, metrics and errors. A step that remembers what it
 * saw (de-duplication) can undo that for a batch that was then refused, so a client's
 * retry of a refused batch is not mistaken for a duplicate. A step whose work must count
 * each span once (detection: spend, streaks, decisions) does it in `accept`, which runs only
 * for a batch that was durably accepted, so a refused batch's retry is not counted twice.
 */
export interface ProcessFn {
  (batch: Batch): Batch;
  rollback?(batch: Batch): void;
  accept?(batch: Batch): void;
}

/** A processor's factory: its name, its config schema (with defaults) and its constructor. */
export interface Processor<Config> {
  name: string;
  configSchema: z.ZodType<Config>;
  create(config: Config, context: ProcessorContext): ProcessFn;
}
