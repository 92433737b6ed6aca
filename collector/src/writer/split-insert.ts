/** Marks an attempt cut short because the writer is stopping. */
export const STOPPED = Symbol("stopped");

/** One insert of `rows`: how many it stored, the error ClickHouse refused them with, or STOPPED. */
export type Attempt<T> = (rows: T[]) => Promise<number | Error | typeof STOPPED>;

export interface SplitResult<T> {
  stored: number;
  /** The rows ClickHouse refused on their own, in order. */
  refused: T[];
  /** The first refusal's error; undefined when none was refused. */
  error: Error | undefined;
}

/**
 * Inserts `rows` with `attempt`. ClickHouse refuses a whole insert for one value it cannot
 * read, so when it refuses, each half is inserted on its own, and each half of a refused half,
 * down to single rows: every row is stored except those refused alone. One bad row among n
 * costs about 2·log2(n) more inserts. Resolves undefined when the writer stops first.
 *
 * A retry after a stop inserts some rows again; callers rely on what makes that safe (the
 * `spans` table collapses duplicates, and calls already stored are looked up and skipped).
 * @example await insertSplitting(rows, async (part) => { await db.insertJsonEachRow("spans", payload(part)); return part.length; })
 */
export async function insertSplitting<T>(
  rows: T[],
  attempt: Attempt<T>,
): Promise<SplitResult<T> | undefined> {
  const result: SplitResult<T> = { stored: 0, refused: [], error: undefined };
  return (await split(rows, attempt, result)) ? result : undefined;
}

async function split<T>(rows: T[], attempt: Attempt<T>, result: SplitResult<T>): Promise<boolean> {
  const outcome = await attempt(rows);
  if (outcome === STOPPED) return false;
  if (typeof outcome === "number") {
    result.stored += outcome;
    return true;
  }
  if (rows.length === 1) {
    result.refused.push(rows[0]!);
    result.error ??= outcome;
    return true;
  }
  const half = Math.ceil(rows.length / 2);
  return (await split(rows.slice(0, half), attempt, result)) && split(rows.slice(half), attempt, result);
}

/**
 * Cuts `rows` into consecutive pieces of at most `maxBytes` each (a larger row goes alone), so
 * that no insert, and no buffer built for one, grows past it however many rows there are.
 */
export function* pieces<T>(
  rows: readonly T[],
  bytesOf: (row: T) => number,
  maxBytes: number,
): Generator<T[]> {
  let piece: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = bytesOf(row);
    if (piece.length > 0 && bytes + size > maxBytes) {
      yield piece;
      piece = [];
      bytes = 0;
    }
    piece.push(row);
    bytes += size;
  }
  if (piece.length > 0) yield piece;
}
