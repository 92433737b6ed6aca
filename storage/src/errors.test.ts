import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClickHouse } from "./client.js";
import { openEmbedded } from "./embedded.js";
import { isTransient, StorageQueryError } from "./errors.js";
import { migrate } from "./migrate.js";

let db: ClickHouse;
beforeAll(async () => {
  db = await openEmbedded(mkdtempSync(join(tmpdir(), "burnrate-errors-")));
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});

/** The error an insert fails with, as the writer sees it. */
async function insertError(table: string, row: string): Promise<unknown> {
  return db.insertJsonEachRow(table, Buffer.from(`${row}\n`)).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("which storage errors the writer retries", () => {
  it("retries a missing table, which a migration fixes, and refuses a row that cannot be read", async () => {
    const missing = await insertError("no_such_table", "{}");
    const badRow = await insertError("llm_calls", '{"input_tokens":"many"}');
    expect({
      missing: [missing instanceof StorageQueryError && missing.clickhouseCode, isTransient(missing)],
      badRow: [badRow instanceof StorageQueryError, isTransient(badRow)],
    }).toEqual({ missing: [60, true], badRow: [true, false] });
  });
});
