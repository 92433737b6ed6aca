import { z } from "zod";
import type { Batch } from "../pipeline/batch.js";
import type { Outcome } from "../pipeline/outcome.js";
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
 *
 * A span is "in flight" from the moment a request takes it until that request's batch is
 * spooled (`accept`) or refused (`rollback`), and "stored" after. A copy of a stored span is
 * simply dropped. A copy of an in-flight span is dropped too, but the request carrying it
 * must not be answered 200 before the owner's append is known, since the owner's append may
 * still fail: the owner's outcome goes into `awaiting`, and the receiver waits for it.
 */
export const dedupeProcessor: Processor<DedupeConfig> = {
  name: "dedupe",
  configSchema,
  create(config) {
    // A Map iterates in insertion order, so the oldest keys are always first.
    const stored = new Map<string, number>();
    const inFlight = new Map<string, Outcome>();
    // The keys each request put in flight, so accepting it builds no key a second time.
    const claims = new WeakMap<Outcome, string[]>();
    const windowMs = config.windowSeconds * 1000;
    const key = (projectId: string, traceId: string, spanId: string) => `${projectId}/${traceId}/${spanId}`;

    const forgetOld = (now: number) => {
      for (const [k, at] of stored) {
        if (stored.size <= config.windowSize && now - at < windowMs) break;
        stored.delete(k);
      }
    };

    const process = (batch: Batch): Batch => {
      const owner = batch.outcome;
      let claimed: string[] | undefined;
      let awaiting: Outcome[] | undefined;
      const spans = batch.spans.filter((span) => {
        const k = key(batch.projectId, span.traceId, span.spanId);
        if (stored.has(k)) return false;
        const other = inFlight.get(k);
        if (other !== undefined) {
          // A second copy within this batch is only dropped; another request's is waited for.
          if (other !== owner && !(awaiting ?? batch.awaiting).includes(other)) {
            awaiting ??= [...batch.awaiting];
            awaiting.push(other);
          }
          return false;
        }
        inFlight.set(k, owner);
        if (!claimed) {
          claimed = claims.get(owner) ?? [];
          claims.set(owner, claimed);
        }
        claimed.push(k);
        return true;
      });
      const next = awaiting ? { ...batch, awaiting } : batch;
      if (spans.length === batch.spans.length) return next;
      // Keep one call per kept span; `delete` makes a second copy in the same batch fail.
      const kept = new Set(spans.map((span) => `${span.traceId}/${span.spanId}`));
      const calls = batch.calls.filter((c) => kept.delete(`${c.traceId}/${c.spanId}`));
      return { ...next, spans, calls };
    };
    process.accept = (batch: Batch) => {
      const keys = claims.get(batch.outcome);
      if (!keys) return;
      claims.delete(batch.outcome);
      const now = Date.now();
      for (const k of keys) {
        // A key no longer held by this batch was rejected by a later stage and forgotten.
        if (inFlight.get(k) !== batch.outcome) continue;
        inFlight.delete(k);
        stored.set(k, now);
      }
      forgetOld(now);
    };
    process.rollback = (batch: Batch) => {
      for (const span of batch.spans) {
        const k = key(batch.projectId, span.traceId, span.spanId);
        // Only this request's own claims: the batch may hold copies another request owns.
        if (inFlight.get(k) === batch.outcome) inFlight.delete(k);
      }
    };
    return process;
  },
};
