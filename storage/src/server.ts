import { Readable } from "node:stream";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { ClickHouse } from "./client.js";
import { OUTPUT_SETTINGS } from "./client.js";
import { StorageQueryError, StorageUnavailableError } from "./errors.js";
import type { Query } from "./sql.js";

export interface ServerOptions {
  url: string;
  user: string;
  password: string;
  database: string;
}

/**
 * Connects to a ClickHouse server over HTTP with `@clickhouse/client`. It creates the
 * database if it is missing, then checks the server answers, so a wrong URL fails at start
 * with one clear line instead of on the first write.
 */
export async function openServer(options: ServerOptions): Promise<ClickHouse> {
  const location = redact(options.url);
  // The client's own logger prints stack traces; every failure surfaces as our error instead.
  const base = {
    url: options.url,
    username: options.user,
    password: options.password,
    log: { level: ClickHouseLogLevel.OFF },
  };
  const bootstrap = createClient({ ...base, request_timeout: 10_000 });
  try {
    await ensureReachable(bootstrap, location);
    await bootstrap.command({
      query: "CREATE DATABASE IF NOT EXISTS {db:Identifier}",
      query_params: { db: options.database },
    });
  } catch (error) {
    throw error instanceof StorageUnavailableError ? error : toStorageError(error, "CREATE DATABASE");
  } finally {
    await bootstrap.close();
  }
  const client = createClient({
    ...base,
    database: options.database,
    clickhouse_settings: { ...OUTPUT_SETTINGS },
  });
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
      const result = await this.client.query({
        query: q.query,
        query_params: q.params,
        format: "JSONEachRow",
      });
      return await result.json<Row>();
    } catch (error) {
      throw toStorageError(error, q.query);
    }
  }

  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.client.insert({ table, values: rows as object[], format: "JSONEachRow" });
    } catch (error) {
      throw toStorageError(error, `insert into ${table}`);
    }
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

  async ping(): Promise<void> {
    await ensureReachable(this.client, this.location);
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
 * A ClickHouse error (it carries the server's numeric code) means the server answered and
 * refused the statement. Anything else means it did not answer usefully: a refused or reset
 * connection, the client's request timeout, a proxy's 502 page. Those are unavailability,
 * which callers retry (the collector keeps the batch spooled), never a refusal, which would
 * set the batch aside for good.
 */
function toStorageError(error: unknown, what: string): Error {
  const code = Number((error as { code?: string }).code);
  const message = error instanceof Error ? error.message : String(error);
  if (Number.isNaN(code)) {
    const errno = (error as NodeJS.ErrnoException).code;
    const why = errno ?? message.replace(/\s+/g, " ").slice(0, 200);
    return new StorageUnavailableError(`ClickHouse did not answer ${what.slice(0, 100)} (${why})`, {
      cause: error,
    });
  }
  return new StorageQueryError(`${message} [while running: ${what.slice(0, 200)}]`, code, { cause: error });
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
