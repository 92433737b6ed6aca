export type { ClickHouse } from "./client.js";
export { type StorageConfig, storageConfigSchema } from "./config.js";
export { openEmbedded } from "./embedded.js";
export { isTransient, StorageError, StorageQueryError, StorageUnavailableError } from "./errors.js";
export {
  insertNewLlmCalls,
  insertNewSerialisedCalls,
  type LlmCallRow,
  nanosToDateTime64,
  type SerialisedCall,
  toLlmCallRow,
} from "./llm-calls.js";
export {
  appliedVersions,
  changedMigrationWarning,
  loadMigrations,
  type Migration,
  type MigrationReport,
  migrate,
} from "./migrate.js";
export { openClickHouse, openStorage } from "./open.js";
export { withOutageSwitch } from "./outage.js";
export { type CostByDayRow, costByDay } from "./queries/cost-by-day.js";
export { type TraceCost, traceCost } from "./queries/trace-cost.js";
export { type RepriceOptions, type RepriceReport, reprice } from "./reprice.js";
export { applyRetention, currentTtlDays, type Retention } from "./retention.js";
export { rebuildRollupMinutes } from "./rollup-rebuild.js";
export { openServer, type ServerOptions } from "./server.js";
export * from "./sql.js";
