import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ClickHouse } from "./client.js";
import { OUTPUT_SETTINGS, parseJsonEachRow, toJsonEachRow } from "./client.js";
import { StorageQueryError, StorageUnavailableError } from "./errors.js";
import type { Query } from "./sql.js";

type ChdbModule = typeof import("chdb");
type ChdbSession = InstanceType<ChdbModule["Session"]>;

/**
 * Opens the embedded ClickHouse engine (chDB) on a data directory. chdb is imported here
 * and nowhere else, so an app that never uses embedded mode never loads its 550 MB engine.
 * Every call uses chdb's async API, which runs on libuv's pool and never blocks the event loop.
 */
export async function openEmbedded(
  dataDir: string,
  options: {
    /**
     * ClickHouse's `compatibility` setting: the setting defaults of an older server (24.8,
     * say), so that tests run the SQL chDB shares with the server driver as such a server would.
     */
    compatibility?: string | undefined;
  } = {},
): Promise<ClickHouse> {
  const dir = resolve(dataDir);
  assertWritable(dir);
  const chdb = await loadChdb();
  let session: ChdbSession;
  try {
    session = new chdb.Session(dir, {
      connectionArgs: [
        ...Object.entries(OUTPUT_SETTINGS).map(([k, v]) => `--${k}=${v}`),
        ...(options.compatibility ? [`--compatibility=${options.compatibility}`] : []),
      ],
    });
  } catch (error) {
    throw new StorageUnavailableError(
      `cannot open the chDB data directory ${dir}: ${messageOf(error)} (is another burnrate process using it?)`,
      { cause: error },
    );
  }
  return new EmbeddedClickHouse(session, dir);
}

class EmbeddedClickHouse implements ClickHouse {
  readonly mode = "embedded" as const;
  #closed = false;

  constructor(
    private readonly session: ChdbSession,
    readonly location: string,
  ) {}

  async query<Row>(q: Query): Promise<Row[]> {
    const result = await this.#run(q, "JSONEachRow");
    return parseJsonEachRow<Row>(result);
  }

  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.insertJsonEachRow(table, Buffer.from(toJsonEachRow(rows)));
  }

  async insertJsonEachRow(table: string, payload: Uint8Array): Promise<void> {
    if (payload.length === 0) return;
    this.#assertOpen();
    try {
      await this.session.insert({ table, values: payload, format: "JSONEachRow" });
    } catch (error) {
      throw toStorageError(error, `insert into ${table}`);
    }
  }

  async command(q: Query): Promise<void> {
    await this.#run(q, "Null");
  }

  async ping(): Promise<void> {
    await this.#run({ query: "SELECT 1", params: {} }, "Null");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.session.close();
  }

  async #run(q: Query, format: string): Promise<string> {
    this.#assertOpen();
    try {
      const result =
        Object.keys(q.params).length === 0
          ? await this.session.queryAsync(q.query, { format })
          : await this.session.queryBindAsync(q.query, q.params, { format });
      return result.text();
    } catch (error) {
      throw toStorageError(error, q.query);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StorageUnavailableError("the chDB session is closed");
  }
}

async function loadChdb(): Promise<ChdbModule> {
  try {
    return await import("chdb");
  } catch (error) {
    throw new StorageUnavailableError(
      "embedded mode needs the chdb package: run `npm install chdb@3.4.0`, " +
        "or set BURNRATE_CLICKHOUSE_URL to use a ClickHouse server",
      { cause: error },
    );
  }
}

/** Fails early, with the path in the message, rather than deep inside the engine. */
function assertWritable(dir: string): void {
  const probe = resolve(dir, `.burnrate-write-probe-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (error) {
    throw new StorageUnavailableError(
      `cannot write the data directory ${dir} (${codeOf(error)}); set BURNRATE_DATA_DIR or storage.dataDir to a writable directory`,
      { cause: error },
    );
  }
}

function toStorageError(error: unknown, what: string): StorageQueryError {
  const code = (error as { clickhouseCode?: number }).clickhouseCode;
  return new StorageQueryError(`${messageOf(error)} [while running: ${what.slice(0, 200)}]`, code, {
    cause: error,
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? messageOf(error);
}
