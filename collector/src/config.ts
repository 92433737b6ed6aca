import { z } from "zod";
import { webhooksConfigSchema } from "./decisions/webhooks.js";
import { dedupeProcessor } from "./processors/dedupe.js";

const MiB = 1024 * 1024;

/** The collector's settings, each with a default. */
export const collectorConfigSchema = z
  .object({
    receiver: z
      .object({
        /** Largest request body accepted, measured after decompression. */
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(32 * MiB),
        /** Spans with more attributes are rejected (partial success). */
        maxAttributesPerSpan: z.number().int().positive().default(1024),
        /** Export requests processed at once; more get 429 with Retry-After. */
        maxConcurrentRequests: z.number().int().positive().default(64),
      })
      .strict()
      .prefault({}),
    dedupe: dedupeProcessor.configSchema.prefault({}),
    spool: z
      .object({
        /** Where accepted batches wait for storage. */
        dir: z.string().min(1).default("./.burnrate/spool"),
        /** Most bytes on disk; past it the receiver answers 503. */
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(1024 * MiB),
        segmentBytes: z
          .number()
          .int()
          .positive()
          .default(64 * MiB),
      })
      .strict()
      .prefault({}),
    writer: z
      .object({
        batchMaxBytes: z
          .number()
          .int()
          .positive()
          .default(16 * MiB),
        batchMaxDelayMs: z.number().int().nonnegative().default(200),
        retryInitialMs: z.number().int().positive().default(100),
        retryMaxMs: z.number().int().positive().default(5_000),
        /** How long a graceful stop waits for the spool to drain into storage. */
        drainTimeoutMs: z.number().int().positive().default(3_000),
      })
      .strict()
      .prefault({}),
    detection: z
      .object({
        /** Detector thresholds, overrides per agent or feature, and the polling-tool allowlist (see core's detectionConfigSchema). */
        detectors: z.record(z.string(), z.unknown()).default({}),
        /** How long each kind of decision stays in force. */
        ttlSeconds: z
          .object({
            warn: z.number().positive().default(600),
            block_tool: z.number().positive().default(600),
            kill: z.number().positive().default(3600),
          })
          .strict()
          .prefault({}),
        /** Seconds between reloads of the budgets table. */
        budgetPollSeconds: z.number().positive().default(3),
      })
      .strict()
      .prefault({}),
    decisions: z
      .object({
        /**
         * Seconds between heartbeats on the decision stream. At most 30: apps take a stream
         * that has been silent for 45 s for dead and reopen it.
         */
        heartbeatSeconds: z.number().positive().max(30).default(15),
        /** Endpoints that receive every decision as a signed Standard Webhooks request. */
        webhooks: webhooksConfigSchema,
      })
      .strict()
      .prefault({}),
    pricing: z
      .object({
        /** A YAML or JSON file of price overrides for custom or self-hosted models. */
        overridesFile: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
