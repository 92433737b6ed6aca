import type { z } from "zod";
import type { CollectorMetrics } from "../metrics.js";
import type { Batch } from "./batch.js";

/** What a processor may use besides its config. */
export interface ProcessorContext {
  metrics: CollectorMetrics;
}

/**
 * A processing step: a pure transform of a batch. It never calls the next step; the
 * pipeline runner owns ordering, timing, metrics and errors. A step that cannot process one
 * span (it threw on it) moves it to `rejected` rather than failing the whole batch.
 * A step that remembers what it saw (de-duplication) forgets it again in `rollback`: for
 * every span of a batch that was then refused, and for the spans a later step rejected, so
 * a client's resend of them is not mistaken for a duplicate. A step whose work must count
 * each span once (detection: spend, streaks, decisions) does it in `accept`, which runs only
 * for a batch that was durably accepted, so a refused batch's retry is not counted twice.
 */
export interface ProcessFn {
  (batch: Batch): Batch;
  /** Forgets `batch.spans`: the batch's own spans when it is refused, or the ones a later step rejected. */
  rollback?(batch: Batch): void;
  accept?(batch: Batch): void;
}

/** A processor's factory: its name, its config schema (with defaults) and its constructor. */
export interface Processor<Config> {
  name: string;
  configSchema: z.ZodType<Config>;
  create(config: Config, context: ProcessorContext): ProcessFn;
}
