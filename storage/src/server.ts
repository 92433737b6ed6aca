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
    try {
      await this.client.insert({
        table,
        values: Readable.from([payload], { objectMode: false }),
        format: "JSONEachRow",
      });
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

function toStorageError(error: unknown, what: string): Error {
  const code = Number((error as { code?: string }).code);
  const errno = (error as NodeJS.ErrnoException).code;
  if (errno && Number.isNaN(code)) {
    return new StorageUnavailableError(`ClickHouse connection failed (${errno})`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StorageQueryError(
    `${message} [while running: ${what.slice(0, 200)}]`,
    Number.isNaN(code) ? undefined : code,
    {
      cause: error,
    },
  );
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
