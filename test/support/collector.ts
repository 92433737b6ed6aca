import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Collector,
  type CollectorConfig,
  collectorConfigSchema,
  createCollector,
} from "@burnrate/collector";
import type { ApiKey } from "@burnrate/core";
import { type ClickHouse, migrate, openEmbedded, withOutageSwitch } from "@burnrate/storage";
import { closeServer, serveOnLoopback } from "./loopback.js";

/**
 * `BURNRATE_TEST_COMPATIBILITY=24.8` runs the tests' chDB with an older server's setting
 * defaults (`npm test` makes a second pass over the storage-heavy tests so), because the
 * server driver shares every statement with chDB and its contract test needs a server.
 */
export const TEST_COMPATIBILITY = process.env.BURNRATE_TEST_COMPATIBILITY || undefined;

export interface TestCollector {
  url: string;
  db: ClickHouse;
  collector: Collector;
  dir: string;
  outageFile: string;
  logs: string[];
  stop(): Promise<void>;
}

/**
 * A real collector on a real HTTP port (127.0.0.1), writing to real embedded chDB in a
 * temporary directory. `outageFile` is the storage outage switch: create it to make storage
 * unavailable, remove it to bring storage back.
 */
export async function startTestCollector(
  options: { config?: Record<string, unknown>; keys?: ApiKey[]; dir?: string; db?: ClickHouse } = {},
): Promise<TestCollector> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "burnrate-collector-"));
  const outageFile = join(dir, "storage-outage");
  const real = options.db ?? (await openEmbedded(join(dir, "data"), { compatibility: TEST_COMPATIBILITY }));
  await migrate(real);
  const db = withOutageSwitch(real, outageFile);
  const config: CollectorConfig = collectorConfigSchema.parse({
    ...options.config,
    spool: { dir: join(dir, "spool"), ...(options.config?.spool as object) },
    writer: {
      batchMaxDelayMs: 20,
      retryInitialMs: 20,
      retryMaxMs: 200,
      ...(options.config?.writer as object),
    },
  });
  const logs: string[] = [];
  const log = {
    info: (m: string) => logs.push(m),
    warn: (m: string) => logs.push(m),
    error: (m: string) => logs.push(m),
  };
  const collector = await createCollector({ db, config, keys: options.keys ?? [], log });
  const { server, url } = await serveOnLoopback((req, res) => collector.handle(req, res));
  return {
    url,
    db: real,
    collector,
    dir,
    outageFile,
    logs,
    async stop() {
      await closeServer(server);
      await collector.close();
      if (!options.db) await real.close();
    },
  };
}

/** Polls until `read()` returns what `done` accepts, or fails after `timeoutMs` with the last value. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

/** Counts rows the way every total does: FINAL, so a not-yet-merged duplicate counts once. */
export async function countRows(db: ClickHouse, table: "spans" | "llm_calls"): Promise<number> {
  const [row] = await db.query<{ n: number }>({
    query: `SELECT count() AS n FROM ${table} FINAL`,
    params: {},
  });
  return row!.n;
}
