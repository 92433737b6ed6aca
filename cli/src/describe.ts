import type { ClickHouse } from "@burnrate/storage";

/** One phrase saying where the data lives, for start-up output. */
export function describeStorage(db: ClickHouse): string {
  return db.mode === "embedded"
    ? `embedded chDB, data directory ${db.location}`
    : `ClickHouse server ${db.location}`;
}
