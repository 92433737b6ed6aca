/** An entry that can sit in a `RecencyList`: the list threads itself through these two fields. */
export interface RecencyLinks<T> {
  older: T | undefined;
  newer: T | undefined;
}

/**
 * Least-recently-used order as a doubly linked list threaded through the entries: O(1) to
 * move an entry to the newest end, O(1) to drop the oldest.
 *
 * Why not a Map's insertion order (delete, then set again)? Deleting from the front of a Map
 * leaves holes until it rehashes, and every fresh iterator walks them, so finding the oldest
 * entry turns O(size) per call under steady churn.
 */
export class RecencyList<T extends RecencyLinks<T>> {
  /** Least recently used. */
  oldest: T | undefined;
  /** Most recently used. */
  newest: T | undefined;

  /** Marks an entry (new or already listed) as the most recently used. */
  touch(entry: T, listed: boolean): void {
    if (entry === this.newest) return;
    if (listed) this.remove(entry);
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }

  remove(entry: T): void {
    if (entry.older) entry.older.newer = entry.newer;
    else if (this.oldest === entry) this.oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else if (this.newest === entry) this.newest = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  /** Entries from the oldest to the newest. */
  *values(): IterableIterator<T> {
    for (let entry = this.oldest; entry; entry = entry.newer) yield entry;
  }
}
