import type { ClickHouse } from "./client.js";
import type { StorageConfig } from "./config.js";
import { openEmbedded } from "./embedded.js";
import { changedMigrationWarning, migrate } from "./migrate.js";
import { applyRetention } from "./retention.js";
import { openServer } from "./server.js";

/** Opens the configured store: a ClickHouse server when its URL is set, chDB otherwise. */
export async function openClickHouse(config: StorageConfig): Promise<ClickHouse> {
  const { url, user, password, database } = config.clickhouse;
  return url ? openServer({ url, user, password, database }) : openEmbedded(config.dataDir);
}

/**
 * Opens the store, brings the schema up to date and applies the retention settings. `warn`
 * is told about an applied migration whose shipped file has changed since.
 */
export async function openStorage(config: StorageConfig, warn: (line: string) => void): Promise<ClickHouse> {
  const db = await openClickHouse(config);
  try {
    const report = await migrate(db);
    for (const m of report.changed) warn(changedMigrationWarning(m));
    await applyRetention(db, config.retention);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
