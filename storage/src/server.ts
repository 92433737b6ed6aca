import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { ClickHouse } from "./client.js";
import { OUTPUT_SETTINGS, toJsonEachRow } from "./client.js";
import { clickhouseUrlProblem } from "./config.js";
import { StorageError, StorageQueryError, StorageUnavailableError } from "./errors.js";
import { readRows, toStorageError } from "./server-answers.js";
import type { Query } from "./sql.js";

export interface ServerOptions {
  url: string;
  user: string;
  password: string;
  database: string;
}

/**
 * Settings of every request. With http_write_exception_in_output_format on (24.8–24.10's
 * default), an error after the first rows would come as one more row, `{"exception": …}`, of a
 * 200 answer; off, it comes as text, which `readRows` tells from rows on every version.
 */
const REQUEST_SETTINGS = { ...OUTPUT_SETTINGS, http_write_exception_in_output_format: 0 } as const;

/**
 * Settings of every SELECT. A query the driver gives up on (its 30 s request timeout) keeps
 * running on the server unless ClickHouse may cancel it when the connection closes, which
 * cancel_http_readonly_queries_on_client_close allows only for a read-only query, and a POST is
 * read-only only when `readonly` says so (2: settings may still be changed).
 */
const QUERY_SETTINGS = { readonly: "2", cancel_http_readonly_queries_on_client_close: 1 } as const;

/**
 * Settings of every insert. A server profile with async_insert on and wait_for_async_insert off
 * would answer before the rows are stored, and `insertNewLlmCalls`, which looks a batch's spans
 * up before inserting them, could then insert a batch retried meanwhile twice.
 */
const INSERT_SETTINGS = { async_insert: 0 } as const;

/**
 * Connects to a ClickHouse server over HTTP with `@clickhouse/client`. It creates the
 * database if it is missing, then checks the server answers, so a wrong URL fails at start
 * with one clear line instead of on the first write.
 */
export async function openServer(options: ServerOptions): Promise<ClickHouse> {
  const problem = clickhouseUrlProblem(options.url);
  if (problem) throw new StorageError(`BURNRATE_CLICKHOUSE_URL (storage.clickhouse.url) ${problem}`);
  const location = redact(options.url);
  const url = new URL(options.url);
  // The client is given the origin alone: it would read a path as the database and a query
  // string as its options. Credentials written into the URL are kept, and win, as they did.
  const base = {
    url: url.origin,
    username: url.username ? decodeURIComponent(url.username) : options.user,
    password: url.password ? decodeURIComponent(url.password) : options.password,
    // The client's own logger prints stack traces; every failure surfaces as our error instead.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: REQUEST_SETTINGS,
  };
  const bootstrap = createClient({ ...base, request_timeout: 10_000 });
  try {
    await ensureReachable(bootstrap, location);
    await bootstrap.command({
      query: "CREATE DATABASE IF NOT EXISTS {db:Identifier}",
      query_params: { db: options.database },
    });
  } catch (error) {
    throw toStorageError(error, "CREATE DATABASE");
  } finally {
    await bootstrap.close();
  }
  const client = createClient({ ...base, database: options.database });
  return new ServerClickHouse(client, `${location} (database ${options.database})`);
}

class ServerClickHouse implements ClickHouse {
  readonly mode = "server" as const;
  #closed = false;

  constructor(
    private readonly client: ClickHouseClient,
    readonly location: string,
  ) {}

  async query<Row>(q: Query): Promise<Row[]> {
    try {
      // exec rather than query: its answer is the raw body, which readRows reads even when
      // ClickHouse breaks it off after an exception, to find the exception's code.
      const result = await this.client.exec({
        query: `${q.query.trim().replace(/;+$/, "")}\nFORMAT JSONEachRow`,
        query_params: q.params,
        clickhouse_settings: QUERY_SETTINGS,
      });
      return await readRows<Row>(result.stream, q.query);
    } catch (error) {
      throw toStorageError(error, q.query);
    }
  }

  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.insertJsonEachRow(table, Buffer.from(toJsonEachRow(rows)));
  }

  async insertJsonEachRow(table: string, payload: Uint8Array): Promise<void> {
    if (payload.length === 0) return;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table))
      throw new StorageQueryError(`not a table name: ${table}`, undefined);
    try {
      // The payload is JSONEachRow text already: it is sent as the body of the INSERT as it is.
      // (`client.insert` takes such a stream only for raw formats like CSV, and refuses it here.)
      const result = await this.client.exec({
        query: `INSERT INTO \`${table}\` FORMAT JSONEachRow`,
        values: Readable.from([payload], { objectMode: false }),
        query_id: insertId(table, payload),
        clickhouse_settings: INSERT_SETTINGS,
      });
      // The answer to an INSERT is empty; reading it to its end frees the connection.
      for await (const _ of result.stream) {
        // nothing to keep
      }
    } catch (error) {
      throw toStorageError(error, `insert into ${table}`);
    }
  }

  async command(q: Query): Promise<void> {
    try {
      await this.client.command({ query: q.query, query_params: q.params });
    } catch (error) {
      throw toStorageError(error, q.query);
    }
  }

  /**
   * A SELECT 1 like any query, with the database and credentials: ClickHouse's /ping checks
   * neither, and answers "Ok." while a revoked grant or a rotated password refuses every statement.
   */
  async ping(): Promise<void> {
    await this.query({ query: "SELECT 1", params: {} });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.client.close();
  }
}

async function ensureReachable(client: ClickHouseClient, location: string): Promise<void> {
  const result = await client.ping();
  if (!result.success) {
    const cause = result.error as NodeJS.ErrnoException;
    throw new StorageUnavailableError(
      `cannot reach ClickHouse at ${location} (${cause.code ?? cause.message}); check BURNRATE_CLICKHOUSE_URL`,
      { cause },
    );
  }
}

/**
 * The query id of an insert: its table and a hash of its rows. An insert whose request timed
 * out can still be running on the server when the writer retries it, and the retry's look-up
 * (`insertNewLlmCalls`) cannot see rows not yet committed, so both would insert. With one id,
 * ClickHouse refuses the retry while the first runs (216, QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING,
 * which is retried later); once the first has finished, the id is free again.
 */
function insertId(table: string, payload: Uint8Array): string {
  return `burnrate-insert-${table}-${createHash("sha256").update(payload).digest("hex").slice(0, 32)}`;
}

/** The URL with any password removed, for logs and errors. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}
