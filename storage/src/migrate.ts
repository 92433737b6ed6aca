import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ClickHouse } from "./client.js";
import { build, param, sql, statement } from "./sql.js";

/** A numbered schema migration: `0002_llm_calls.sql` is version 2, named `llm_calls`. */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
  checksum: string;
}

export interface MigrationReport {
  applied: Migration[];
  alreadyApplied: number;
  /**
   * Applied migrations whose shipped file no longer matches what was applied. Migrations are
   * append-only, so the difference was never applied: the store has the schema of the older
   * file. A damaged install, or an edit that belongs in a new migration.
   */
  changed: { version: number; name: string; appliedChecksum: string; shippedChecksum: string }[];
}

const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations/", import.meta.url));
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

const CREATE_MIGRATIONS_TABLE = statement(`
CREATE TABLE IF NOT EXISTS burnrate_migrations
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY version`);

/** Reads the migrations shipped with this package, in version order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => FILE_NAME.test(file))
    .sort()
    .map((file) => {
      const [, version, name] = FILE_NAME.exec(file)!;
      const text = readFileSync(`${dir}/${file}`, "utf8");
      return {
        version: Number(version),
        name: name!,
        statements: splitStatements(text),
        checksum: createHash("sha256").update(text).digest("hex").slice(0, 16),
      };
    });
}

/**
 * Applies every migration not yet recorded in `burnrate_migrations`, in order. Each
 * statement is itself idempotent (`IF NOT EXISTS`), so a run cut short half-way through a
 * migration is finished by the next run rather than failing on what already exists.
 */
export async function migrate(
  db: ClickHouse,
  migrations: Migration[] = loadMigrations(),
): Promise<MigrationReport> {
  await db.command(CREATE_MIGRATIONS_TABLE);
  const rows = await db.query<{ version: number; checksum: string }>(
    statement("SELECT version, checksum FROM burnrate_migrations FINAL"),
  );
  const done = new Map(rows.map((r) => [Number(r.version), r.checksum]));
  const applied: Migration[] = [];
  const changed: MigrationReport["changed"] = [];
  for (const migration of migrations) {
    const appliedChecksum = done.get(migration.version);
    if (appliedChecksum !== undefined) {
      if (appliedChecksum !== migration.checksum) {
        const { version, name, checksum: shippedChecksum } = migration;
        changed.push({ version, name, appliedChecksum, shippedChecksum });
      }
      continue;
    }
    for (const text of migration.statements) await db.command(statement(text));
    await db.insert("burnrate_migrations", [
      { version: migration.version, name: migration.name, checksum: migration.checksum },
    ]);
    applied.push(migration);
  }
  return { applied, alreadyApplied: migrations.length - applied.length, changed };
}

/** One line for the operator about a migration in `MigrationReport.changed`. */
export function changedMigrationWarning(m: MigrationReport["changed"][number]): string {
  return (
    `burnrate: migration ${String(m.version).padStart(4, "0")}_${m.name} differs from the one applied ` +
    `(checksum ${m.shippedChecksum}, applied ${m.appliedChecksum}); the difference was not applied. ` +
    "Migrations are append-only: a schema change needs a new one, and a damaged install a reinstall"
  );
}

/** The versions recorded as applied, oldest first. */
export async function appliedVersions(db: ClickHouse): Promise<number[]> {
  const rows = await db.query<{ version: number }>(
    build(
      sql`SELECT version FROM burnrate_migrations FINAL WHERE version >= ${param("UInt32", 0)} ORDER BY version`,
    ),
  );
  return rows.map((r) => Number(r.version));
}

/** Splits a migration file on semicolons that end a line; comments stay with their statement. */
export function splitStatements(text: string): string[] {
  return text
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.replace(/--.*$/gm, "").trim().length > 0);
}
