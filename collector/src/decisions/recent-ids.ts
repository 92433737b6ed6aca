/**
 * The most recently seen ids, forgetting the oldest past `capacity`. A Set keeps insertion
 * order, so the first entry is always the oldest and eviction stays O(1).
 *
 * @example
 * const seen = new RecentIds(2);
 * seen.add("a"); // true: first time
 * seen.add("a"); // false: seen already
 */
export class RecentIds {
  readonly #ids = new Set<string>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a positive integer");
  }

  /** Remembers `id`; false when it was remembered already. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.#ids.size;
  }
}
