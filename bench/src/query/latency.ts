/** Latency percentiles of one measured request, in milliseconds. */
export interface Latency {
  p50: number;
  p99: number;
  mean: number;
  samples: number;
}

/** The nearest-rank percentile of sorted values: the smallest value with at least p% at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Times `request(i)` `iterations` times, one after another, after `warmup` untimed runs
 * (which load marks and caches as a server that has been up a while would have them).
 */
export async function measure(
  request: (i: number) => Promise<void>,
  iterations: number,
  warmup = 5,
): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await request(iterations + i);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await request(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    samples: times.length,
  };
}
