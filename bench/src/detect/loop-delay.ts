import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { LoopDelay } from "./protocol.js";

const RESOLUTION_MS = 10;

/**
 * Samples this process's event-loop delay every 10 ms. A blocked or starved loop delays every
 * step of a kill (reading the span, writing the decision, reading it in the app), so the
 * benchmark reports it beside the latencies.
 */
export function watchLoopDelay(): IntervalHistogram {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return histogram;
}

/**
 * The histogram's percentiles in ms, then it starts afresh. It records the time between its
 * 10 ms timer's runs, so the delay is what exceeds 10 ms.
 */
export function takeLoopDelay(histogram: IntervalHistogram): LoopDelay {
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
  const delay = {
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
  };
  histogram.reset();
  return delay;
}
