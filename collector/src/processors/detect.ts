import type { Decision, DetectionEngine } from "@burnrate/core";
import { z } from "zod";
import { type DecisionTtls, toDecision } from "../detection/decisions.js";
import { detectorEvents } from "../detection/events.js";
import type { Batch } from "../pipeline/batch.js";
import type { Processor } from "../pipeline/processor.js";

const configSchema = z.object({
  engine: z.custom<DetectionEngine>(),
  publish: z.custom<(decision: Decision) => void>(),
  ttlSeconds: z.custom<DecisionTtls>(),
});

/**
 * Loop and budget detection, on every LLM call and tool span in arrival order, as soon as
 * the batch is spooled and before it is stored: a decision reaches the app while the agent
 * is still running. It runs in `accept`, never for a batch that was refused (spool full),
 * whose retry would otherwise count the same spend and steps again. The batch passes through
 * unchanged; decisions go to the hub (SSE, webhooks, incidents).
 */
export const detectProcessor: Processor<z.infer<typeof configSchema>> = {
  name: "detect",
  configSchema,
  create({ engine, publish, ttlSeconds }, { metrics }) {
    const detect = (batch: Batch) => batch;
    detect.accept = (batch: Batch) => {
      for (const event of detectorEvents(batch)) {
        for (const finding of engine.observe(event)) {
          publish(toDecision(event.projectId, finding, ttlSeconds));
          metrics.decisions.inc({ detector: finding.detector, action: finding.action });
        }
      }
      metrics.runsTracked.set(engine.trackedRuns);
    };
    return detect;
  },
};
