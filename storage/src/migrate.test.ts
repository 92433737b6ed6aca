import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClickHouse } from "./client.js";
import { openEmbedded } from "./embedded.js";
import { appliedVersions, loadMigrations, migrate, splitStatements } from "./migrate.js";
import { applyRetention, currentTtlDays } from "./retention.js";
import { build, param, sql } from "./sql.js";

let db: ClickHouse;
beforeAll(async () => {
  db = await openEmbedded(mkdtempSync(join(tmpdir(), "burnrate-migrate-")));
});
afterAll(async () => {
  await db.close();
});

async function columns(table: string): Promise<string[]> {
  const rows = await db.query<{ name: string; type: string }>(
    build(sql`SELECT name, type FROM system.columns
      WHERE database = currentDatabase() AND table = ${param("String", table)} ORDER BY position`),
  );
  return rows.map((r) => `${r.name} ${r.type}`);
}

describe("migrations on embedded chDB", () => {
  it("apply every numbered migration once and record it", async () => {
    const report = await migrate(db);
    expect(report.applied.map((m) => `${m.version}_${m.name}`)).toEqual([
      "1_spans",
      "2_llm_calls",
      "3_llm_cost_minutely",
      "4_incidents",
      "5_budgets",
      "6_rollup_repairs",
      "7_cache_write_1h",
      "8_audio_web_search",
      "9_incident_releases",
    ]);
    expect(await appliedVersions(db)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("are idempotent: a second run applies nothing and keeps rows", async () => {
    const now = new Date().toISOString().replace("T", " ").replace("Z", "");
    await db.insert("incidents", [
      { id: "d-1", project_id: "default", created_at: now, detector: "D1", reason: "x" },
    ]);
    const again = await migrate(db);
    expect(again).toEqual({ applied: [], alreadyApplied: 9, changed: [] });
    expect(await db.query(build(sql`SELECT id FROM incidents`))).toEqual([{ id: "d-1" }]);
  });

  it("report an applied migration whose file has changed since, and apply nothing of it", async () => {
    const shipped = loadMigrations();
    const edited = shipped.map((m) =>
      m.version === 4 ? { ...m, statements: ["SELECT 1"], checksum: "0123456789abcdef" } : m,
    );
    expect(await migrate(db, edited)).toEqual({
      applied: [],
      alreadyApplied: 9,
      changed: [
        {
          version: 4,
          name: "incidents",
          appliedChecksum: shipped[3]!.checksum,
          shippedChecksum: "0123456789abcdef",
        },
      ],
    });
  });

  it("create spans with the otel_traces columns plus ProjectId", async () => {
    expect(await columns("spans")).toEqual([
      "ProjectId LowCardinality(String)",
      "Timestamp DateTime64(9, 'UTC')",
      "TraceId String",
      "SpanId String",
      "ParentSpanId String",
      "TraceState String",
      "SpanName LowCardinality(String)",
      "SpanKind LowCardinality(String)",
      "ServiceName LowCardinality(String)",
      "ResourceAttributes Map(LowCardinality(String), String)",
      "ScopeName String",
      "ScopeVersion String",
      "SpanAttributes Map(LowCardinality(String), String)",
      "Duration UInt64",
      "StatusCode LowCardinality(String)",
      "StatusMessage String",
      "Events.Timestamp Array(DateTime64(9, 'UTC'))",
      "Events.Name Array(LowCardinality(String))",
      "Events.Attributes Array(Map(LowCardinality(String), String))",
      "Links.TraceId Array(String)",
      "Links.SpanId Array(String)",
      "Links.TraceState Array(String)",
      "Links.Attributes Array(Map(LowCardinality(String), String))",
      "IngestedAt DateTime64(3, 'UTC')",
    ]);
  });

  it("create llm_calls with exact money columns", async () => {
    const decimal = "Decimal(38, 12)";
    expect(await columns("llm_calls")).toEqual([
      "project_id LowCardinality(String)",
      "start_time DateTime64(9, 'UTC')",
      "trace_id String",
      "span_id String",
      "parent_span_id String",
      "session_id String",
      "service LowCardinality(String)",
      "agent LowCardinality(String)",
      "feature LowCardinality(String)",
      "user_id String",
      "tenant LowCardinality(String)",
      "provider LowCardinality(String)",
      "operation LowCardinality(String)",
      "request_model LowCardinality(String)",
      "response_model LowCardinality(String)",
      "service_tier LowCardinality(String)",
      "input_tokens UInt32",
      "audio_input_tokens UInt32",
      "output_tokens UInt32",
      "audio_output_tokens UInt32",
      "cache_read_tokens UInt32",
      "cache_write_tokens UInt32",
      "cache_write_1h_tokens UInt32",
      "reasoning_tokens UInt32",
      "web_searches UInt32",
      `cost_input ${decimal}`,
      `cost_output ${decimal}`,
      `cost_cache_read ${decimal}`,
      `cost_cache_write ${decimal}`,
      `cost_total ${decimal}`,
      "cost_source Enum8('provider' = 1, 'computed' = 2, 'unpriced' = 3)",
      "price_version LowCardinality(String)",
      "estimated Bool",
      "prompt_fingerprint String",
      "tool_call_fingerprints Array(String)",
      "status Enum8('ok' = 1, 'error' = 2)",
      "error_type LowCardinality(String)",
      "duration_ns UInt64",
      "version UInt64",
    ]);
  });

  it("create the cost rollup and incidents", async () => {
    const rollup = await columns("llm_cost_minutely");
    expect(rollup.slice(0, 10)).toEqual([
      "project_id LowCardinality(String)",
      "minute DateTime('UTC')",
      "service LowCardinality(String)",
      "feature LowCardinality(String)",
      "user_id String",
      "tenant LowCardinality(String)",
      "agent LowCardinality(String)",
      "provider LowCardinality(String)",
      "model LowCardinality(String)",
      "operation LowCardinality(String)",
    ]);
    expect(rollup.slice(10)).toEqual([
      "calls UInt64",
      "unpriced_calls UInt64",
      "error_calls UInt64",
      "estimated_calls UInt64",
      "input_tokens UInt64",
      "output_tokens UInt64",
      "cache_read_tokens UInt64",
      "cache_write_tokens UInt64",
      "reasoning_tokens UInt64",
      "cost_input Decimal(38, 12)",
      "cost_output Decimal(38, 12)",
      "cost_cache_read Decimal(38, 12)",
      "cost_cache_write Decimal(38, 12)",
      "cost_total Decimal(38, 12)",
    ]);
    expect(await columns("incidents")).toEqual([
      "id String",
      "project_id LowCardinality(String)",
      "created_at DateTime64(3, 'UTC')",
      "expires_at DateTime64(3, 'UTC')",
      "detector LowCardinality(String)",
      "action LowCardinality(String)",
      "releases String",
      "scope Map(LowCardinality(String), String)",
      "reason String",
      "evidence String",
      "trace_id String",
      "session_id String",
    ]);
  });

  it("create budgets, where a delete is a newer row that FINAL leaves out", async () => {
    expect(await columns("budgets")).toEqual([
      "project_id LowCardinality(String)",
      "id String",
      "scope Enum8('trace' = 1, 'session' = 2, 'user' = 3, 'feature' = 4, 'tenant' = 5)",
      "match String",
      "period Enum8('' = 0, 'day' = 1, 'month' = 2)",
      "limit_usd Decimal(38, 12)",
      "alert_at Array(Float64)",
      "updated_at DateTime64(3, 'UTC')",
      "version UInt64",
      "deleted UInt8",
    ]);
    const budget = {
      project_id: "default",
      id: "b-1",
      scope: "user",
      match: "",
      period: "day",
      limit_usd: "5",
      alert_at: [0.5, 0.8, 1],
      updated_at: "2026-11-02 09:30:00.000",
    };
    await db.insert("budgets", [{ ...budget, version: "1", deleted: 0 }]);
    const read = () => db.query(build(sql`SELECT id, limit_usd FROM budgets FINAL`));
    expect(await read()).toEqual([{ id: "b-1", limit_usd: "5.000000000000" }]);
    await db.insert("budgets", [{ ...budget, version: "2", deleted: 1 }]);
    expect(await read()).toEqual([]);
  });
});

describe("retention", () => {
  it("defaults to 90 days of spans and 400 days of calls, rollups and incidents", async () => {
    const days = await Promise.all(
      ["spans", "llm_calls", "llm_cost_minutely", "incidents"].map((t) => currentTtlDays(db, t)),
    );
    expect(days).toEqual([90, 400, 400, 400]);
    expect(await applyRetention(db, { spansDays: 90, callsDays: 400 })).toEqual([]);
  });

  it("changes only the tables whose retention changed", async () => {
    expect(await applyRetention(db, { spansDays: 7, callsDays: 400 })).toEqual(["spans"]);
    expect(await currentTtlDays(db, "spans")).toBe(7);
    expect(await applyRetention(db, { spansDays: 7, callsDays: 30 })).toEqual([
      "llm_calls",
      "llm_cost_minutely",
      "incidents",
    ]);
    expect(await currentTtlDays(db, "llm_cost_minutely")).toBe(30);
  });
});

describe("migration files", () => {
  it("split on line-ending semicolons only", () => {
    expect(splitStatements("-- a comment\nCREATE A;\n\nSELECT ';x';\n-- trailing\n")).toEqual([
      "-- a comment\nCREATE A",
      "SELECT ';x'",
    ]);
  });

  it("are numbered from 1 without gaps", () => {
    expect(loadMigrations().map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
