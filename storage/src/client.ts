import type { Query } from "./sql.js";

/**
 * The one seam between Burnrate and ClickHouse. Both drivers (embedded chDB and a
 * ClickHouse server) implement it and run the same SQL, so nothing above this file
 * knows which one it talks to.
 *
 * Values reach SQL only as server-side parameters (`{name:Type}` in `Query.query`).
 */
export interface ClickHouse {
  /** `embedded` (chDB in this process) or `server` (a ClickHouse server over HTTP). */
  readonly mode: "embedded" | "server";
  /** Where the data lives: a directory for chDB, a URL (without password) for a server. */
  readonly location: string;
  /** Runs a SELECT and returns its rows, parsed from JSONEachRow. */
  query<Row>(query: Query): Promise<Row[]>;
  /** Inserts rows into a table as JSONEachRow. Rows must be JSON-serialisable. */
  insert(table: string, rows: readonly object[]): Promise<void>;
  /**
   * Inserts a ready-made JSONEachRow payload (one JSON object per line). The collector's
   * spool holds payloads in this form, so replaying them costs no re-serialisation.
   */
  insertJsonEachRow(table: string, payload: Uint8Array): Promise<void>;
  /** Runs a statement that returns nothing: DDL, ALTER, INSERT … SELECT. */
  command(query: Query): Promise<void>;
  /**
   * Answers when the store can take queries. Throws otherwise: StorageUnavailableError when it
   * cannot be reached, StorageQueryError when it refuses them (a revoked grant, a wrong password).
   */
  ping(): Promise<void>;
  /** Releases the connection. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Settings both drivers apply to every query, so results look the same in both modes:
 * decimals (money) come back as exact strings with every decimal place, 64-bit counts as
 * plain JSON numbers.
 */
export const OUTPUT_SETTINGS = {
  output_format_json_quote_decimals: 1,
  // Money always reads as 12 decimals ("0.004400000000"), the way core formats it.
  output_format_decimal_trailing_zeros: 1,
  output_format_json_quote_64bit_integers: 0,
} as const;

/** Turns rows into a JSONEachRow payload. Rows hold no bigint: 64-bit values travel as digit strings. */
export function toJsonEachRow(rows: readonly object[]): string {
  let out = "";
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}

/** Parses a JSONEachRow result body into rows. */
export function parseJsonEachRow<Row>(text: string): Row[] {
  const rows: Row[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (end > start) rows.push(JSON.parse(text.slice(start, end)) as Row);
    start = end + 1;
  }
  return rows;
}
