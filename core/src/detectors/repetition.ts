/** How the tail of a sequence repeats: the period of the repeating block and how many times it occurs. */
export interface Repetition {
  period: number;
  repeats: number;
}

/**
 * Finds the strongest repetition at the end of `steps`: for each period p from 1 to
 * `maxPeriod`, counts how many whole blocks of p steps at the tail equal the last block.
 * Returns the period with the most repeats (the shortest on ties), or undefined when the
 * last block is not repeated at all. Period 1 is "the same step again and again".
 *
 * @example detectRepetition(["a", "b", "a", "b", "a", "b"]) // { period: 2, repeats: 3 }
 */
export function detectRepetition(steps: readonly string[], maxPeriod = 6): Repetition | undefined {
  let best: Repetition | undefined;
  for (let period = 1; period <= maxPeriod && period * 2 <= steps.length; period++) {
    let repeats = 1;
    const end = steps.length;
    while (
      (repeats + 1) * period <= end &&
      sameBlock(steps, end - period, end - (repeats + 1) * period, period)
    ) {
      repeats++;
    }
    if (repeats > 1 && (!best || repeats > best.repeats)) best = { period, repeats };
  }
  return best;
}

function sameBlock(steps: readonly string[], a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (steps[a + i] !== steps[b + i]) return false;
  return true;
}
