import { parseArgs } from "node:util";
import { applyRetention, changedMigrationWarning, migrate, openClickHouse } from "@burnrate/storage";
import { loadConfig } from "../config.js";
import { describeStorage } from "../describe.js";
import { assertDataDirFree } from "../preflight.js";
import { COMMON_OPTIONS, type Command } from "./command.js";

export const migrateCommand: Command = {
  name: "migrate",
  summary: "create or upgrade the ClickHouse schema, then exit",
  help: `Usage: burnrate migrate [options]

Applies every schema migration not yet applied to the configured store (embedded chDB
by default, or the server at BURNRATE_CLICKHOUSE_URL) and sets the retention TTLs.
Safe to run any number of times. \`burnrate start\` runs it too.

${COMMON_OPTIONS}`,
  async run(args, out) {
    const { values } = parseArgs({
      args,
      options: { config: { type: "string", short: "c" }, debug: { type: "boolean" } },
    });
    const { config } = loadConfig({ file: values.config, warn: out.error });
    assertDataDirFree(config.storage, "migrate");
    const db = await openClickHouse(config.storage);
    try {
      out.info(`burnrate: migrating ${describeStorage(db)}`);
      const report = await migrate(db);
      for (const m of report.applied) out.info(`  applied ${String(m.version).padStart(4, "0")}_${m.name}`);
      out.info(`  ${report.applied.length} applied, ${report.alreadyApplied} already up to date`);
      for (const m of report.changed) out.error(changedMigrationWarning(m));
      const changed = await applyRetention(db, config.storage.retention);
      if (changed.length > 0) out.info(`  retention updated on ${changed.join(", ")}`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
