import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LlmCall } from "@burnrate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCall } from "../test/seam-contract.js";
import type { ClickHouse } from "./client.js";
import { openEmbedded } from "./embedded.js";
import { insertNewLlmCalls, toLlmCallRow } from "./llm-calls.js";
import { loadMigrations, migrate } from "./migrate.js";
import { build, param, sql, statement } from "./sql.js";

// A store of its own: it starts with the schema as it was before 0007, and goes no further
// than 0007 (migrate-audio-web-search.test.ts upgrades past it).
const throughSeven = loadMigrations().filter((m) => m.version <= 7);
let db: ClickHouse;
beforeAll(async () => {
  db = await openEmbedded(mkdtempSync(join(tmpdir(), "burnrate-migrate-0007-")));
});
afterAll(async () => {
  await db.close();
});

const oneHour = (spanId: string, tokens: LlmCall["tokens"]) =>
  sampleCall({ traceId: "t-0007", spanId, startTimeUnixNano: 1_790_000_000_000_000_000n, tokens });

async function tokenColumns(): Promise<string[]> {
  const rows = await db.query<{ name: string; type: string; default_expression: string }>(
    build(sql`SELECT name, type, default_expression FROM system.columns
      WHERE database = currentDatabase() AND table = ${param("String", "llm_calls")}
        AND endsWith(name, '_tokens') ORDER BY position`),
  );
  return rows.map(
    (r) => `${r.name} ${r.type}${r.default_expression ? ` DEFAULT ${r.default_expression}` : ""}`,
  );
}

async function storedTokens() {
  return db.query(
    build(sql`SELECT span_id, cache_write_tokens AS cacheWrite, cache_write_1h_tokens AS cacheWrite1h
      FROM llm_calls FINAL WHERE trace_id = 't-0007' ORDER BY span_id`),
  );
}

describe("migration 0007 on a store created before it", () => {
  it("adds cache_write_1h_tokens after cache_write_tokens, and calls stored before it read 0", async () => {
    const before = loadMigrations().filter((m) => m.version < 7);
    expect((await migrate(db, before)).applied.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6]);
    // A call the collector stored before the upgrade: its row has no one-hour part.
    const { cache_write_1h_tokens: _dropped, ...oldRow } = toLlmCallRow(
      oneHour("a-before", { input: 5000, output: 10, cacheRead: 0, cacheWrite: 4000, reasoning: 0 }),
      1n,
    );
    await db.insert("llm_calls", [oldRow]);

    const report = await migrate(db, throughSeven);
    expect({
      applied: report.applied.map((m) => `${m.version}_${m.name}`),
      alreadyApplied: report.alreadyApplied,
      changed: report.changed,
    }).toEqual({ applied: ["7_cache_write_1h"], alreadyApplied: 6, changed: [] });
    expect(await tokenColumns()).toEqual([
      "input_tokens UInt32",
      "output_tokens UInt32",
      "cache_read_tokens UInt32",
      "cache_write_tokens UInt32",
      "cache_write_1h_tokens UInt32 DEFAULT 0",
      "reasoning_tokens UInt32",
    ]);
    expect(await storedTokens()).toEqual([{ span_id: "a-before", cacheWrite: 4000, cacheWrite1h: 0 }]);
  });

  it("stores a new call's one-hour part, and the rollup view still counts every call", async () => {
    await insertNewLlmCalls(db, [
      toLlmCallRow(
        oneHour("b-after", {
          input: 10_000,
          output: 1000,
          cacheRead: 0,
          cacheWrite: 3000,
          cacheWrite1h: 2000,
          reasoning: 0,
        }),
        1n,
      ),
    ]);
    expect(await storedTokens()).toEqual([
      { span_id: "a-before", cacheWrite: 4000, cacheWrite1h: 0 },
      { span_id: "b-after", cacheWrite: 3000, cacheWrite1h: 2000 },
    ]);
    expect(
      await db.query(
        build(sql`SELECT sum(calls) AS calls, sum(cache_write_tokens) AS cacheWrite FROM llm_cost_minutely`),
      ),
    ).toEqual([{ calls: 2, cacheWrite: 7000 }]);
  });

  it("is a no-op when run again, recorded or not", async () => {
    expect(await migrate(db, throughSeven)).toEqual({ applied: [], alreadyApplied: 7, changed: [] });
    // A run cut short after the ALTER but before the migration was recorded runs it again.
    const [m7] = loadMigrations().filter((m) => m.version === 7);
    for (const text of m7!.statements) await db.command(statement(text));
    expect(await tokenColumns()).toContain("cache_write_1h_tokens UInt32 DEFAULT 0");
    expect(await storedTokens()).toEqual([
      { span_id: "a-before", cacheWrite: 4000, cacheWrite1h: 0 },
      { span_id: "b-after", cacheWrite: 3000, cacheWrite1h: 2000 },
    ]);
  });
});
