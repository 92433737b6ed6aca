import { seededRandom } from "../seeded-random.js";

/** The median of paired differences, and how far it can be trusted. */
export interface PairedDifference {
  /** Median over rounds of (a's round − b's round). */
  median: number;
  /** A 95% bootstrap interval for that median: rounds resampled with replacement. */
  low: number;
  high: number;
}

/**
 * The median of `a[i] − b[i]` over rounds, with a 95% percentile-bootstrap interval. Each
 * resample draws as many rounds as there are, with replacement, and takes their median; the
 * interval is the 2.5th and 97.5th percentiles of those medians. The generator is seeded,
 * so the same samples always give the same interval.
 * @example pairedDifference([510, 498], [500, 490]) // { median: 9, low: 8, high: 10 }
 */
export function pairedDifference(a: number[], b: number[], resamples = 2000, seed = 1): PairedDifference {
  if (a.length !== b.length || a.length === 0) {
    throw new Error(`pairedDifference needs two equal, non-empty series; got ${a.length} and ${b.length}`);
  }
  const differences = a.map((value, i) => value - b[i]!);
  const random = seededRandom(seed);
  const medians = new Float64Array(resamples);
  const draw = new Float64Array(differences.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < draw.length; i++) draw[i] = differences[Math.floor(random() * differences.length)]!;
    medians[r] = medianOf(draw);
  }
  medians.sort();
  const at = (q: number) => medians[Math.min(resamples - 1, Math.floor(q * resamples))]!;
  return { median: medianOf(Float64Array.from(differences)), low: at(0.025), high: at(0.975) };
}

/** The median of `values`, which it sorts in place. */
function medianOf(values: Float64Array): number {
  values.sort();
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}
