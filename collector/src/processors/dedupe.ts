import { z } from "zod";
import type { Batch } from "../pipeline/batch.js";
import type { Processor } from "../pipeline/processor.js";

const configSchema = z
  .object({
    /** Most span keys remembered; the oldest are forgotten first. */
    windowSize: z.number().int().positive().default(500_000),
    /** How long a key is remembered. */
    windowSeconds: z.number().positive().default(600),
  })
  .strict();

type DedupeConfig = z.infer<typeof configSchema>;

/**
 * Drops spans already received (same project, trace and span) within a window, so a
 * retried export is not processed twice. Storage guarantees the same beyond the window.
 */
export const dedupeProcessor: Processor<DedupeConfig> = {
  name: "dedupe",
  configSchema,
  create(config) {
    // A Map iterates in insertion order, so the oldest keys are always first.
    const seen = new Map<string, number>();
    const windowMs = config.windowSeconds * 1000;
    const key = (projectId: string, traceId: string, spanId: string) => `${projectId}/${traceId}/${spanId}`;

    const forgetOld = (now: number) => {
      for (const [k, at] of seen) {
        if (seen.size <= config.windowSize && now - at < windowMs) break;
        seen.delete(k);
      }
    };

    const process = (batch: Batch): Batch => {
      const now = Date.now();
      const kept = new Set<string>();
      const spans = batch.spans.filter((span) => {
        const k = key(batch.projectId, span.traceId, span.spanId);
        if (seen.has(k)) return false;
        seen.set(k, now);
        kept.add(`${span.traceId}/${span.spanId}`);
        return true;
      });
      forgetOld(now);
      if (spans.length === batch.spans.length) return batch;
      // Keep one call per kept span; `delete` makes a second copy in the same batch fail.
      const calls = batch.calls.filter((c) => kept.delete(`${c.traceId}/${c.spanId}`));
      return { ...batch, spans, calls };
    };
    process.rollback = (batch: Batch) => {
      for (const span of batch.spans) seen.delete(key(batch.projectId, span.traceId, span.spanId));
    };
    return process;
  },
};
