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
  const differences = differencesOf(a, b, "pairedDifference");
  const random = seededRandom(seed);
  const medians = new Float64Array(resamples);
  const draw = new Float64Array(differences.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < draw.length; i++) draw[i] = differences[Math.floor(random() * differences.length)]!;
    medians[r] = medianOf(draw);
  }
  return { median: medianOf(Float64Array.from(differences)), ...percentileInterval(medians) };
}

/**
 * A 95% interval for the same median that also counts how far the child processes differ,
 * which resampling rounds alone leaves out (a child's offset lasts its whole life). Round r
 * belongs to child r mod `children`. Each resample draws `children` children with
 * replacement, then as many of each drawn child's rounds as it has, with replacement, and
 * takes the median of all it drew (a two-stage bootstrap).
 * @example childrenInterval(burnrateRounds, peerRounds, 4) // { low, high }, at least as wide as pairedDifference's as a rule
 */
export function childrenInterval(
  a: number[],
  b: number[],
  children: number,
  resamples = 2000,
  seed = 1,
): { low: number; high: number } {
  const differences = differencesOf(a, b, "childrenInterval");
  if (!Number.isInteger(children) || children < 1 || children > a.length) {
    throw new Error(
      `childrenInterval needs 1 to ${a.length} children (one round each at least); got ${children}`,
    );
  }
  const byChild = splitByChild(differences, children);
  const random = seededRandom(seed);
  const medians = new Float64Array(resamples);
  const draw = new Float64Array(children * byChild[0]!.length);
  for (let r = 0; r < resamples; r++) {
    let n = 0;
    for (let c = 0; c < children; c++) {
      const child = byChild[Math.floor(random() * children)]!;
      for (let i = 0; i < child.length; i++) draw[n++] = child[Math.floor(random() * child.length)]!;
    }
    medians[r] = medianOf(draw.subarray(0, n));
  }
  return percentileInterval(medians);
}

/** Rounds grouped by the child process that ran them: round r ran child r mod `children`. */
export function splitByChild<T>(rounds: T[], children: number): T[][] {
  return Array.from({ length: children }, (_, k) => rounds.filter((_, r) => r % children === k));
}

/** Round by round `a − b`; `who` names the caller when the two series do not pair up. */
function differencesOf(a: number[], b: number[], who: string): number[] {
  if (a.length !== b.length || a.length === 0) {
    throw new Error(`${who} needs two equal, non-empty series; got ${a.length} and ${b.length}`);
  }
  return a.map((value, i) => value - b[i]!);
}

/** The 2.5th and 97.5th percentiles of bootstrap medians, which it sorts in place. */
function percentileInterval(medians: Float64Array): { low: number; high: number } {
  medians.sort();
  const at = (q: number) => medians[Math.min(medians.length - 1, Math.floor(q * medians.length))]!;
  return { low: at(0.025), high: at(0.975) };
}

/** The median of `values`, which it sorts in place. */
export function medianOf(values: Float64Array): number {
  values.sort();
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}
