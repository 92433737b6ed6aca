import type { Span } from "@burnrate/core";
import type { CollectorMetrics } from "../metrics.js";
import type { Batch, RejectedSpan } from "./batch.js";
import { Outcome } from "./outcome.js";
import type { ProcessFn } from "./processor.js";

export interface Stage {
  name: string;
  process: ProcessFn;
}

export interface Pipeline {
  /**
   * Runs every stage in order and returns the final batch, which the caller must then end
   * with exactly one of `accept` or `rollback`. If a stage throws, what the stages remembered
   * of the batch is undone, and the error is thrown on.
   */
  process(request: { projectId: string; spans: Span[] }): Batch;
  /** Undoes what stages remembered about a batch that was not accepted after all. */
  rollback(batch: Batch): void;
  /** Runs each stage's `accept` once the batch is durably accepted (spooled). */
  accept(batch: Batch): void;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Runs processors in order. It times each one, and counts the spans each one drops:
 * spans dropped by the `dedupe` stage are the de-duplicated spans. A span a stage rejects
 * (see `Batch.rejected`) is forgotten by the stages before it, as if it had never arrived,
 * so a resend of it is processed again rather than taken for a duplicate.
 */
export function createPipeline(stages: Stage[], metrics: CollectorMetrics): Pipeline {
  const timers = stages.map((s) => metrics.processorSeconds.labels(s.name));

  /** Tells the stages before `stage` to forget the spans it rejected. */
  const forgetRejected = (stage: number, batch: Batch, rejected: readonly RejectedSpan[]) => {
    const forgotten = { ...batch, spans: rejected.map((r) => r.span) };
    for (let i = 0; i < stage; i++) stages[i]!.process.rollback?.(forgotten);
  };

  const rollback = (batch: Batch) => {
    try {
      for (const stage of stages) stage.process.rollback?.(batch);
    } finally {
      batch.outcome.settle(false);
    }
  };

  return {
    process(request) {
      let current: Batch = { ...request, calls: [], rejected: NONE, outcome: new Outcome(), awaiting: NONE };
      try {
        for (let i = 0; i < stages.length; i++) {
          const stage = stages[i]!;
          const before = current.spans.length;
          const rejectedBefore = current.rejected.length;
          const started = performance.now();
          current = stage.process(current);
          timers[i]!.observe((performance.now() - started) / 1000);
          const rejected = current.rejected.length - rejectedBefore;
          if (rejected > 0) forgetRejected(i, current, current.rejected.slice(rejectedBefore));
          const dropped = before - current.spans.length - rejected;
          if (dropped > 0 && stage.name === "dedupe") metrics.spansDeduplicated.inc(dropped);
        }
        return current;
      } catch (error) {
        rollback(current);
        throw error;
      }
    },
    rollback,
    accept(batch) {
      try {
        for (let i = 0; i < stages.length; i++) {
          const accept = stages[i]!.process.accept;
          if (!accept) continue;
          const started = performance.now();
          accept(batch);
          timers[i]!.observe((performance.now() - started) / 1000);
        }
      } finally {
        // The batch is on disk whatever a stage's accept did.
        batch.outcome.settle(true);
      }
    },
  };
}
