import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PROJECT, type Decision } from "@burnrate/core";
import { type ClickHouse, migrate, openEmbedded } from "@burnrate/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IncidentWriter } from "./incidents.js";

let db: ClickHouse;
beforeAll(async () => {
  db = await openEmbedded(join(mkdtempSync(join(tmpdir(), "burnrate-incidents-")), "data"));
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});

const decision = (id: string): Decision => ({
  decision_id: id,
  project_id: DEFAULT_PROJECT,
  action: "kill",
  scope: { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" },
  detector: "D1.identical_call",
  reason: "trace 4bf92f35… requested the same tool call 5 times in a row, the limit is 5.",
  evidence: { repeats: 5 },
  created_at: "2026-11-30T12:00:00.000Z",
  expires_at: "2026-11-30T13:00:00.000Z",
});

async function storedIds(prefix: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>({
    query: "SELECT id FROM incidents FINAL WHERE startsWith(id, {p:String}) ORDER BY id",
    params: { p: prefix },
  });
  return rows.map((r) => r.id);
}

const hops = (n: number) => {
  let p = Promise.resolve();
  for (let i = 0; i < n; i++) p = p.then(() => {});
  return p;
};

describe("IncidentWriter", () => {
  it("stores every decision, however an add lines up with the end of a drain", async () => {
    // A decision added just as a drain finishes once left the writer with no drain running
    // and a marker saying one was: every later decision then waited forever.
    for (let depth = 0; depth < 8; depth++) {
      const prefix = `dec_race_${depth}_`;
      let writer: IncidentWriter | undefined;
      let first = true;
      const racing: ClickHouse = Object.create(db, {
        insert: {
          value: async (table: string, rows: readonly object[]) => {
            await db.insert(table, rows);
            if (first) {
              first = false;
              void hops(depth).then(() => writer!.add(decision(`${prefix}b`)));
            }
          },
        },
      });
      const logs: string[] = [];
      const log = { info: () => {}, warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
      writer = new IncidentWriter(racing, log);
      writer.add(decision(`${prefix}a`));
      await new Promise((r) => setTimeout(r, 50));
      writer.add(decision(`${prefix}c`));
      await writer.flush(2_000);
      expect({ depth, stored: await storedIds(prefix), logs }).toEqual({
        depth,
        stored: [`${prefix}a`, `${prefix}b`, `${prefix}c`],
        logs: [],
      });
    }
  });

  it("stores the rest of a batch storage refuses, and logs each refused decision in full", async () => {
    const logs: string[] = [];
    const log = { info: () => {}, warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
    const writer = new IncidentWriter(db, log);
    const bad = { ...decision("dec_refused_bad"), created_at: "not a time" };
    for (const d of [decision("dec_refused_1"), bad, decision("dec_refused_2")]) writer.add(d);
    await writer.flush(5_000);
    expect(await storedIds("dec_refused_")).toEqual(["dec_refused_1", "dec_refused_2"]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(
      /^burnrate: storage refused incident dec_refused_bad \(.+\); the decision was \{/s,
    );
    expect(logs[0]).toContain(JSON.stringify(bad));
  });
});
