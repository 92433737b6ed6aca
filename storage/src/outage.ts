import { existsSync } from "node:fs";
import type { ClickHouse } from "./client.js";
import { StorageUnavailableError } from "./errors.js";

/**
 * A fault-injection switch for tests of the collector's spool: while `file` exists, every
 * call fails as an unreachable store would. `burnrate start` wraps its store with it only
 * when BURNRATE_TEST_STORAGE_OUTAGE_FILE is set, so a test can take storage away from a
 * running collector process (and kill it mid-outage) while everything else stays real.
 */
export function withOutageSwitch(db: ClickHouse, file: string): ClickHouse {
  const check = () => {
    if (existsSync(file)) {
      throw new StorageUnavailableError(`storage outage simulated while ${file} exists`);
    }
  };
  return {
    mode: db.mode,
    location: db.location,
    async query(q) {
      check();
      return db.query(q);
    },
    async insert(table, rows) {
      check();
      return db.insert(table, rows);
    },
    async insertJsonEachRow(table, payload) {
      check();
      return db.insertJsonEachRow(table, payload);
    },
    async command(q) {
      check();
      return db.command(q);
    },
    async ping() {
      check();
      return db.ping();
    },
    close: () => db.close(),
  };
}
