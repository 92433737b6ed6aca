import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCall } from "../test/seam-contract.js";
import type { ClickHouse } from "./client.js";
import { openEmbedded } from "./embedded.js";
import { insertNewLlmCalls, toLlmCallRow } from "./llm-calls.js";
import { migrate } from "./migrate.js";
import { build, sql } from "./sql.js";

let db: ClickHouse;
beforeAll(async () => {
  db = await openEmbedded(mkdtempSync(join(tmpdir(), "burnrate-llm-calls-")));
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});

/** The store, with a note of every look-up's trace count and every inserted call's trace. */
function recorded(store: ClickHouse) {
  const lookups: number[] = [];
  const inserted: string[] = [];
  const db: ClickHouse = {
    mode: store.mode,
    location: store.location,
    insert: (table, rows) => store.insert(table, rows),
    command: (q) => store.command(q),
    ping: () => store.ping(),
    close: () => store.close(),
    query: (q) => {
      lookups.push((q.params.p1 as string[]).length);
      return store.query(q);
    },
    insertJsonEachRow: (table, payload) => {
      for (const line of Buffer.from(payload).toString().trim().split("\n")) {
        inserted.push((JSON.parse(line) as { trace_id: string }).trace_id);
      }
      return store.insertJsonEachRow(table, payload);
    },
  };
  return { db, lookups, inserted };
}

describe("inserting a batch of calls from thousands of traces", () => {
  const traceIds = Array.from({ length: 3_500 }, (_, i) => i.toString(16).padStart(32, "0"));
  const rows = (ids: string[], version: bigint) =>
    ids.map((traceId) => toLlmCallRow(sampleCall({ projectId: "wide", traceId }), version));

  it("looks the traces up a thousand at a time, and inserts exactly the calls not stored yet", async () => {
    const even = traceIds.filter((_, i) => i % 2 === 0);
    await insertNewLlmCalls(db, rows(even, 1n));

    const { db: watched, lookups, inserted } = recorded(db);
    const count = await insertNewLlmCalls(watched, rows(traceIds, 2n));

    const stored = await db.query<{ calls: number; traces: number; rolledUp: number }>(
      build(sql`SELECT
        (SELECT count() FROM llm_calls FINAL WHERE project_id = 'wide') AS calls,
        (SELECT uniqExact(trace_id) FROM llm_calls WHERE project_id = 'wide') AS traces,
        (SELECT sum(calls) FROM llm_cost_minutely WHERE project_id = 'wide') AS rolledUp`),
    );
    expect({ count, lookups, inserted, stored }).toEqual({
      count: 1_750,
      lookups: [1_000, 1_000, 1_000, 500],
      inserted: traceIds.filter((_, i) => i % 2 === 1),
      stored: [{ calls: 3_500, traces: 3_500, rolledUp: 3_500 }],
    });
  });
});
