import type { CollectorMetrics } from "../metrics.js";
import type { Batch } from "./batch.js";
import type { ProcessFn } from "./processor.js";

export interface Stage {
  name: string;
  process: ProcessFn;
}

export interface Pipeline {
  /** Runs every stage in order and returns the final batch. */
  process(batch: Batch): Batch;
  /** Undoes what stages remembered about a batch that was not accepted after all. */
  rollback(batch: Batch): void;
  /** Runs each stage's `accept` once the batch is durably accepted (spooled). */
  accept(batch: Batch): void;
}

/**
 * Runs processors in order. It times each one, and counts the spans each one drops:
 * spans dropped by the `dedupe` stage are the de-duplicated spans.
 */
export function createPipeline(stages: Stage[], metrics: CollectorMetrics): Pipeline {
  const timers = stages.map((s) => metrics.processorSeconds.labels(s.name));
  return {
    process(batch) {
      let current = batch;
      for (let i = 0; i < stages.length; i++) {
        const stage = stages[i]!;
        const before = current.spans.length;
        const started = performance.now();
        current = stage.process(current);
        timers[i]!.observe((performance.now() - started) / 1000);
        const dropped = before - current.spans.length;
        if (dropped > 0 && stage.name === "dedupe") metrics.spansDeduplicated.inc(dropped);
      }
      return current;
    },
    rollback(batch) {
      for (const stage of stages) stage.process.rollback?.(batch);
    },
    accept(batch) {
      for (let i = 0; i < stages.length; i++) {
        const accept = stages[i]!.process.accept;
        if (!accept) continue;
        const started = performance.now();
        accept(batch);
        timers[i]!.observe((performance.now() - started) / 1000);
      }
    },
  };
}
