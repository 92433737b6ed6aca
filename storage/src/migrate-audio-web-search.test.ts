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

// A store of its own: it starts with the schema as it was before 0008.
let db: ClickHouse;
beforeAll(async () => {
  db = await openEmbedded(mkdtempSync(join(tmpdir(), "burnrate-migrate-0008-")));
});
afterAll(async () => {
  await db.close();
});

const [m8] = loadMigrations().filter((m) => m.version === 8);

const audioCall = (spanId: string, tokens: LlmCall["tokens"]) =>
  sampleCall({ traceId: "t-0008", spanId, startTimeUnixNano: 1_790_000_000_000_000_000n, tokens });

/** The count columns of llm_calls, in order, with their defaults. */
async function countColumns(): Promise<string[]> {
  const rows = await db.query<{ name: string; type: string; default_expression: string }>(
    build(sql`SELECT name, type, default_expression FROM system.columns
      WHERE database = currentDatabase() AND table = ${param("String", "llm_calls")}
        AND (endsWith(name, '_tokens') OR name = 'web_searches') ORDER BY position`),
  );
  return rows.map(
    (r) => `${r.name} ${r.type}${r.default_expression ? ` DEFAULT ${r.default_expression}` : ""}`,
  );
}

async function storedCounts() {
  return db.query(
    build(sql`SELECT span_id, input_tokens AS input, audio_input_tokens AS audioInput,
        output_tokens AS output, audio_output_tokens AS audioOutput, web_searches AS webSearches
      FROM llm_calls FINAL WHERE trace_id = 't-0008' ORDER BY span_id`),
  );
}

const ALL_COUNT_COLUMNS = [
  "input_tokens UInt32",
  "audio_input_tokens UInt32 DEFAULT 0",
  "output_tokens UInt32",
  "audio_output_tokens UInt32 DEFAULT 0",
  "cache_read_tokens UInt32",
  "cache_write_tokens UInt32",
  "cache_write_1h_tokens UInt32 DEFAULT 0",
  "reasoning_tokens UInt32",
  "web_searches UInt32 DEFAULT 0",
];

describe("migration 0008 on a store created before it", () => {
  it("adds the audio and web-search counts, finishing a run cut short, and calls stored before it read 0", async () => {
    const before = loadMigrations().filter((m) => m.version < 8);
    expect((await migrate(db, before)).applied.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // A call the collector stored before the upgrade: its row has none of the new counts.
    const {
      audio_input_tokens: _in,
      audio_output_tokens: _out,
      web_searches: _searches,
      ...oldRow
    } = toLlmCallRow(
      audioCall("a-before", { input: 5000, output: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0 }),
      1n,
    );
    await db.insert("llm_calls", [oldRow]);
    // A run cut short after the first ALTER and before the migration was recorded.
    expect(m8!.statements).toHaveLength(3);
    await db.command(statement(m8!.statements[0]!));

    const report = await migrate(db);
    expect({
      applied: report.applied.map((m) => `${m.version}_${m.name}`),
      alreadyApplied: report.alreadyApplied,
      changed: report.changed,
    }).toEqual({ applied: ["8_audio_web_search", "9_incident_releases"], alreadyApplied: 7, changed: [] });
    expect(await countColumns()).toEqual(ALL_COUNT_COLUMNS);
    expect(await storedCounts()).toEqual([
      { span_id: "a-before", input: 5000, audioInput: 0, output: 10, audioOutput: 0, webSearches: 0 },
    ]);
  });

  it("stores a new call's audio and web-search counts, and the rollup view still counts every call", async () => {
    await insertNewLlmCalls(db, [
      toLlmCallRow(
        audioCall("b-after", {
          input: 2000,
          audioInput: 1500,
          output: 1000,
          audioOutput: 800,
          cacheRead: 0,
          cacheWrite: 0,
          reasoning: 0,
          webSearches: 5,
        }),
        1n,
      ),
    ]);
    expect(await storedCounts()).toEqual([
      { span_id: "a-before", input: 5000, audioInput: 0, output: 10, audioOutput: 0, webSearches: 0 },
      { span_id: "b-after", input: 2000, audioInput: 1500, output: 1000, audioOutput: 800, webSearches: 5 },
    ]);
    expect(
      await db.query(
        build(sql`SELECT sum(calls) AS calls, sum(input_tokens) AS input, sum(output_tokens) AS output
          FROM llm_cost_minutely`),
      ),
    ).toEqual([{ calls: 2, input: 7000, output: 1010 }]);
  });

  it("is a no-op when run again, recorded or not", async () => {
    expect(await migrate(db)).toEqual({ applied: [], alreadyApplied: 9, changed: [] });
    for (const text of m8!.statements) await db.command(statement(text));
    expect(await countColumns()).toEqual(ALL_COUNT_COLUMNS);
    expect(await storedCounts()).toEqual([
      { span_id: "a-before", input: 5000, audioInput: 0, output: 10, audioOutput: 0, webSearches: 0 },
      { span_id: "b-after", input: 2000, audioInput: 1500, output: 1000, audioOutput: 800, webSearches: 5 },
    ]);
  });
});
