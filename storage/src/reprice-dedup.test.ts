import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCall } from "../test/seam-contract.js";
import type { ClickHouse } from "./client.js";
import { openEmbedded } from "./embedded.js";
import { insertNewLlmCalls, toLlmCallRow } from "./llm-calls.js";
import { migrate } from "./migrate.js";
import { rebuildRollupMinutes } from "./rollup-rebuild.js";
import { build, sql } from "./sql.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let db: ClickHouse;
beforeAll(async () => {
  // A 24.8 server deduplicates an INSERT … SELECT like any insert, and a replicated table (or
  // ClickHouse Cloud's) deduplicates by default; chDB's tables do it when given a window.
  db = await openEmbedded(mkdtempSync(join(tmpdir(), "burnrate-rollup-dedup-")), { compatibility: "24.8" });
  await migrate(db);
  await db.command(
    build(sql`ALTER TABLE llm_cost_minutely MODIFY SETTING non_replicated_deduplication_window = 100`),
  );
});
afterAll(async () => {
  await db.close();
});

describe("rebuilding the same minutes twice on a table that deduplicates inserts", () => {
  it("keeps them: the second rebuild's rows are not taken for a repeat of the first's", async () => {
    const at = Math.floor(Date.now() / DAY) * DAY - DAY;
    const calls = [0, 1, 2].map((i) =>
      toLlmCallRow(
        sampleCall({
          projectId: "dedup",
          spanId: `0000000000000${i}00`,
          startTimeUnixNano: BigInt(at + i * MINUTE) * 1_000_000n,
        }),
        1n,
      ),
    );
    await insertNewLlmCalls(db, calls);
    const minutes = [0, 1, 2].map((i) => new Date(at + i * MINUTE));
    const rolledUp = () =>
      db.query<{ calls: number }>(
        build(sql`SELECT sum(calls) AS calls FROM llm_cost_minutely WHERE project_id = 'dedup'`),
      );

    await rebuildRollupMinutes(db, "dedup", minutes);
    const once = await rolledUp();
    // A reprice retried after a failure, or `rollup_repairs` replayed, rebuilds the same minutes again.
    await rebuildRollupMinutes(db, "dedup", minutes);
    expect({ once, twice: await rolledUp() }).toEqual({ once: [{ calls: 3 }], twice: [{ calls: 3 }] });
  });
});
